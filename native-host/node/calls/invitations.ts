import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createLinkPayload, DEFAULT_LINK_HOST, DEFAULT_LINK_LIFETIME_S, linkUrl } from '../../../lib/links/link';
import { INVITATION } from '../../../lib/protocol/check';
import type { LinkInfo } from '../../../lib/protocol/native';

// The call links this node issued. A ring that presents one of them is let through to the
// maker's waiting call tab only while that tab waits for it, only once, only before it
// expires, and only from the callee it was made for (if any). A link is a bearer token
// (a messenger's preview bot or a group member may present it first), so only a link made
// for one named callee is answered without the maker's click; any other waits for the
// maker to confirm who answered. Kept on disk, so "already used" holds across restarts.

interface Invitation {
  id: string;
  expiresAt: number; // unix seconds
  callee: string | null;
  used: boolean;
}

export type InvitationVerdict =
  | { kind: 'auto-accept' } // valid, made for this caller, and the maker's tab waits for it
  | { kind: 'confirm' } // valid, for anyone, and the maker's tab waits: it asks the maker first
  | { kind: 'ring' } // valid but nobody waits, or not one of ours: ring as any call
  | { kind: 'refuse'; reason: 'link-used' | 'link-expired' | 'wrong-callee' };

export class Invitations {
  private _all = new Map<string, Invitation>();
  private _waiting = new Set<string>();
  private _file: string;
  private _secretKey: Buffer;
  private _saving: Promise<void> = Promise.resolve();

  constructor(file: string, secretKey: Buffer) {
    this._file = file;
    this._secretKey = secretKey;
  }

  async load(nowS: number): Promise<void> {
    const text = await readFile(this._file, 'utf8').catch(() => '[]');
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch {
      list = [];
    }
    if (!Array.isArray(list)) return;
    for (const i of list as Invitation[]) {
      if (typeof i?.id === 'string' && INVITATION.test(i.id) && Number.isInteger(i.expiresAt) && i.expiresAt > nowS) {
        this._all.set(i.id, {
          id: i.id,
          expiresAt: i.expiresAt,
          callee: typeof i.callee === 'string' ? i.callee : null,
          used: i.used === true,
        });
      }
    }
  }

  issue(o: { nowS: number; lifetimeS?: number; name?: string | null; callee?: string | null; host?: string }): LinkInfo {
    const invitation = randomBytes(8);
    const lifetimeS = o.lifetimeS ?? DEFAULT_LINK_LIFETIME_S;
    const payload = createLinkPayload({
      secretKey: this._secretKey,
      invitation,
      createdAt: o.nowS,
      lifetimeS,
      name: o.name ?? null,
      callee: o.callee ?? null,
    });
    const id = invitation.toString('hex');
    this._all.set(id, { id, expiresAt: o.nowS + lifetimeS, callee: o.callee ?? null, used: false });
    this._save(o.nowS);
    return { url: linkUrl(payload, o.host ?? DEFAULT_LINK_HOST), payload, invitation: id, expiresAt: o.nowS + lifetimeS };
  }

  setWaiting(id: string, waiting: boolean): void {
    if (waiting) this._waiting.add(id);
    else this._waiting.delete(id);
  }

  // Judges a ring that presents invitation `id` from node `caller`. A link made for one
  // callee is spent as soon as that callee gets through; any other link only once the call it
  // brought is answered (use()), so a stranger the maker turns away does not use it up for
  // the person it was meant for.
  verdict(id: string, caller: string, nowS: number): InvitationVerdict {
    const inv = this._all.get(id);
    if (!inv) return { kind: 'ring' };
    if (inv.used) return { kind: 'refuse', reason: 'link-used' };
    if (inv.expiresAt <= nowS) return { kind: 'refuse', reason: 'link-expired' };
    if (inv.callee && inv.callee !== caller) return { kind: 'refuse', reason: 'wrong-callee' };
    const waiting = this._waiting.delete(id);
    if (!inv.callee) return waiting ? { kind: 'confirm' } : { kind: 'ring' };
    this.use(id, nowS);
    return waiting ? { kind: 'auto-accept' } : { kind: 'ring' };
  }

  // Whether `id` is one of our links that a ring may still present: known, unused, unexpired.
  // Changes nothing; verdict() decides what the ring then does.
  isOpen(id: string, nowS: number): boolean {
    const inv = this._all.get(id);
    return inv !== undefined && !inv.used && inv.expiresAt > nowS;
  }

  // Whether some open link of ours may be presented by `caller`: one made for anyone, or for it.
  // Lets a stranger's connection through to ring with a link while only contacts may ring.
  admitsCaller(caller: string, nowS: number): boolean {
    for (const inv of this._all.values()) {
      if (!inv.used && inv.expiresAt > nowS && (inv.callee === null || inv.callee === caller)) return true;
    }
    return false;
  }

  // The call that presented `id` was answered: the link is spent.
  use(id: string, nowS: number): void {
    const inv = this._all.get(id);
    if (!inv || inv.used) return;
    inv.used = true;
    this._save(nowS);
  }

  private _save(nowS: number): void {
    const list = [...this._all.values()].filter((i) => i.expiresAt > nowS);
    const tmp = `${this._file}.tmp`;
    this._saving = this._saving
      .then(() => writeFile(tmp, JSON.stringify(list), { mode: 0o600 }))
      .then(() => rename(tmp, this._file))
      .catch(() => {});
  }

  flush(): Promise<void> {
    return this._saving;
  }
}
