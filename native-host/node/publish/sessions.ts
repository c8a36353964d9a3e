import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { PublishEndpoints } from '../../../lib/protocol/native';

// The page's credential: a secret the extension learns from `publish-open` and puts in the
// URL it opens. Only the newest one is honoured, and only for a while: a URL that leaked
// (history, a screenshot) stops working when the next is issued or after the lifetime.

export const SECRET_BYTES = 24; // 192 bits
export const DEFAULT_LIFETIME_MS = 30 * 60 * 1000;

export interface Session {
  secret: string;
  expiresAt: number; // ms since the epoch
  endpoints: PublishEndpoints;
  name: string | null;
}

export class Sessions {
  private current: Session | null = null;
  private readonly lifetimeMs: number;
  private readonly now: () => number;

  constructor(opts: { lifetimeMs?: number; now?: () => number } = {}) {
    this.lifetimeMs = opts.lifetimeMs ?? DEFAULT_LIFETIME_MS;
    this.now = opts.now ?? Date.now;
  }

  issue(endpoints: PublishEndpoints, name: string | null): Session {
    this.current = {
      secret: randomBytes(SECRET_BYTES).toString('base64url'),
      expiresAt: this.now() + this.lifetimeMs,
      endpoints,
      name,
    };
    return this.current;
  }

  // The live session `candidate` opens, or null. Compared in constant time so the answer's
  // timing says nothing about how much of a guess was right.
  find(candidate: string): Session | null {
    const s = this.current;
    if (!s) return null;
    if (this.now() >= s.expiresAt) {
      this.current = null;
      return null;
    }
    const a = Buffer.from(candidate);
    const b = Buffer.from(s.secret);
    return a.length === b.length && timingSafeEqual(a, b) ? s : null;
  }

  revoke(): void {
    this.current = null;
  }
}
