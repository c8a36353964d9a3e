import { CopybaraError } from '../errors';
import { NODE_ID_PATTERN, normaliseNodeId } from '../node-id';
import type { Contact } from './contacts';
import type { Settings } from './settings';
import { type KeyValueArea, SerialQueue } from './storage';

// Callers the person blocked, by node id, and what the node is told about who may ring
// (the native `ring-policy` request). A key of its own in storage.local ("blocked"), not a
// field of the settings or of a contact: a caller worth blocking is usually not a contact,
// and the options page saves the whole settings object, which would undo a block made from
// a call tab while the options page was open.

export const BLOCKED_KEY = 'blocked';
// The node takes at most 1000 keys per list (lib/protocol/native.ts MAX_POLICY_KEYS).
export const MAX_BLOCKED = 500;

export function decodeBlocked(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const ids = value.filter((v): v is string => typeof v === 'string' && NODE_ID_PATTERN.test(v));
  return [...new Set(ids)].slice(0, MAX_BLOCKED);
}

export class BlockedStore {
  private readonly area: KeyValueArea;
  private readonly queue = new SerialQueue();

  constructor(area: KeyValueArea) {
    this.area = area;
  }

  async list(): Promise<string[]> {
    return decodeBlocked(await this.area.get(BLOCKED_KEY));
  }

  async block(nodeId: string): Promise<void> {
    const id = checked(nodeId);
    await this.change((list) => {
      if (list.includes(id)) return list;
      if (list.length >= MAX_BLOCKED) throw CopybaraError.BAD_MESSAGE(`you can block at most ${MAX_BLOCKED} callers; unblock one first`);
      return [...list, id];
    });
  }

  async unblock(nodeId: string): Promise<void> {
    const id = checked(nodeId);
    await this.change((list) => list.filter((x) => x !== id));
  }

  private change(fn: (list: string[]) => string[]): Promise<void> {
    return this.queue.run(async () => {
      await this.area.set(BLOCKED_KEY, fn(await this.list()));
    });
  }
}

function checked(nodeId: string): string {
  const id = normaliseNodeId(nodeId);
  if (!NODE_ID_PATTERN.test(id)) throw CopybaraError.BAD_NODE_ID('that is not a node id');
  return id;
}

export interface RingPolicy {
  blocked: string[];
  // null: anyone may ring.
  allowOnly: string[] | null;
  // Keys the node may connect with directly (contacts', when the person allows it).
  direct: string[];
  // Relays the person pinned.
  relays: string[];
}

// What the node is told. With "Only contacts can ring me", the keys that may ring are the
// contacts' node ids and the node ids their names pointed to last; a contact known only by
// a name nobody has called yet has no key to let through. A blocked key stays blocked even
// if it is a contact's.
// With "Allow direct connections with contacts", the same contact keys may connect directly.
export function ringPolicy(
  settings: Pick<Settings, 'onlyContactsRing' | 'directWithContacts' | 'relays'>,
  contacts: Contact[],
  blocked: string[],
): RingPolicy {
  const keys = [
    ...new Set(contacts.flatMap((c) => [c.nodeId, c.lastNodeId]).filter((k): k is string => k !== null && !blocked.includes(k))),
  ];
  return {
    blocked,
    allowOnly: settings.onlyContactsRing ? keys : null,
    direct: settings.directWithContacts ? keys : [],
    relays: [...settings.relays],
  };
}

// Whether a contact's key (its node id, else its name's last one) is blocked.
export function contactKey(contact: Pick<Contact, 'nodeId' | 'lastNodeId'>): string | null {
  return contact.nodeId ?? contact.lastNodeId;
}
