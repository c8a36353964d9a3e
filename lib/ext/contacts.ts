import { CopybaraError } from '../errors';
import { sentence } from '../error-text';
import { NODE_ID_PATTERN, decodeNodeId, normaliseNodeId } from '../node-id';
import { type Obj, nullableString, object, string } from '../protocol/check';
import { type NameParser, checkName, looksLikeName } from './name-input';
import { type KeyValueArea, SerialQueue } from './storage';

// Contacts: people the user calls again, by a nickname. A contact has an AZERO.ID name or
// a node id (or both); for a name, `lastNodeId` is the node it pointed to the last time
// we called or saw it, so a change can be shown before dialling, like a changed safety
// number. Kept under "contacts" in storage.local; the popup and the call page edit them.

export interface Contact {
  id: string;
  nickname: string;
  name: string | null;
  nodeId: string | null;
  lastNodeId: string | null;
}

export const CONTACTS_KEY = 'contacts';
export const MAX_CONTACTS = 500;
export const MAX_NICKNAME = 64;
const CONTACT_ID = /^[0-9a-z]{8,32}$/;

// ---------------------------------------------------------------------------------------
// The add/edit form: a nickname and one "address" box that takes a name or a node id.

export interface ContactDraft {
  nickname: string;
  address: string;
}

export type ContactErrors = Partial<Record<keyof ContactDraft, string>>;

export type ContactFields = Pick<Contact, 'nickname' | 'name' | 'nodeId'>;

export type ContactCheck = { ok: true; fields: ContactFields } | { ok: false; errors: ContactErrors };

// `others`: the contacts that already exist (minus the one being edited), for uniqueness.
export function validateContact(draft: ContactDraft, others: Contact[], parseName: NameParser): ContactCheck {
  const errors: ContactErrors = {};
  const nickname = draft.nickname.trim().replace(/\s+/g, ' ');
  if (nickname === '') errors.nickname = 'Give the contact a nickname.';
  else if (nickname.length > MAX_NICKNAME) errors.nickname = `A nickname has at most ${MAX_NICKNAME} characters.`;
  else if (findByNickname(others, nickname)) errors.nickname = `You already have a contact called "${nickname}".`;

  let name: string | null = null;
  let nodeId: string | null = null;
  const address = draft.address.trim();
  if (address === '') {
    errors.address = 'Give an AZERO.ID name (like bob.azero) or a node id.';
  } else if (looksLikeName(address)) {
    const checked = checkName(address, parseName);
    if (checked.ok) name = checked.name.full;
    else errors.address = sentence(checked.error.message || 'that is not a valid name');
  } else {
    const problem = nodeIdProblem(address);
    if (problem) errors.address = problem;
    else nodeId = normaliseNodeId(address);
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, fields: { nickname, name, nodeId } };
}

function nodeIdProblem(text: string): string | null {
  try {
    decodeNodeId(normaliseNodeId(text));
    return null;
  } catch (err) {
    return err instanceof CopybaraError ? sentence(err.detail) : 'That is not a node id.';
  }
}

// What a contact's address box shows when editing it.
export function addressOf(contact: Pick<Contact, 'name' | 'nodeId'>): string {
  return contact.name ?? contact.nodeId ?? '';
}

export function findByNickname(contacts: Contact[], text: string): Contact | null {
  const key = text.trim().replace(/\s+/g, ' ').toLocaleLowerCase();
  if (key === '') return null;
  return contacts.find((c) => c.nickname.toLocaleLowerCase() === key) ?? null;
}

// ---------------------------------------------------------------------------------------
// Storage: each stored entry is checked; one that does not check out is left out (and
// reported) rather than making every contact unreadable.

export function decodeContact(value: unknown): Contact {
  const o: Obj = object(value, 'contact');
  const nickname = string(o, 'nickname', MAX_NICKNAME);
  if (nickname.trim() === '') throw CopybaraError.BAD_MESSAGE('field "nickname" is empty');
  const contact: Contact = {
    id: string(o, 'id', 32, CONTACT_ID),
    nickname,
    name: nullableString(o, 'name', 256),
    nodeId: nullableString(o, 'nodeId', 52, NODE_ID_PATTERN),
    lastNodeId: nullableString(o, 'lastNodeId', 52, NODE_ID_PATTERN),
  };
  if (!contact.name && !contact.nodeId) throw CopybaraError.BAD_MESSAGE('a contact needs a name or a node id');
  return contact;
}

export interface DecodedContacts {
  contacts: Contact[];
  // Why each left-out entry was left out.
  problems: string[];
}

export function decodeContacts(value: unknown): DecodedContacts {
  if (value === undefined || value === null) return { contacts: [], problems: [] };
  if (!Array.isArray(value)) return { contacts: [], problems: ['the saved contacts are not a list'] };
  const contacts: Contact[] = [];
  const problems: string[] = [];
  for (const [i, entry] of value.slice(0, MAX_CONTACTS).entries()) {
    try {
      const c = decodeContact(entry);
      if (contacts.some((other) => other.id === c.id)) throw CopybaraError.BAD_MESSAGE(`id ${c.id} appears twice`);
      contacts.push(c);
    } catch (err) {
      problems.push(`contact ${i + 1}: ${err instanceof CopybaraError ? err.detail : String(err)}`);
    }
  }
  return { contacts, problems };
}

export type SaveResult = { ok: true; contact: Contact } | { ok: false; errors: ContactErrors };

export class ContactsStore {
  private readonly area: KeyValueArea;
  private readonly parseName: NameParser;
  private readonly newId: () => string;
  private readonly queue = new SerialQueue();

  constructor(area: KeyValueArea, parseName: NameParser, newId: () => string = randomId) {
    this.area = area;
    this.parseName = parseName;
    this.newId = newId;
  }

  async list(): Promise<Contact[]> {
    const { contacts, problems } = decodeContacts(await this.area.get(CONTACTS_KEY));
    if (problems.length > 0) console.warn(`Copybara: some saved contacts could not be read: ${problems.join('; ')}`);
    return contacts;
  }

  // `lastNodeId`: the node the name pointed to when this contact was made (the call page
  // knows it for a caller whose name it verified).
  add(draft: ContactDraft, lastNodeId: string | null = null): Promise<SaveResult> {
    return this.change((list) => {
      if (list.length >= MAX_CONTACTS) return { ok: false, errors: { nickname: `You can keep at most ${MAX_CONTACTS} contacts.` } };
      const checked = validateContact(draft, list, this.parseName);
      if (!checked.ok) return checked;
      const contact: Contact = { id: this.newId(), ...checked.fields, lastNodeId: checked.fields.name ? lastNodeId : null };
      list.push(contact);
      return { ok: true, contact };
    });
  }

  update(id: string, draft: ContactDraft): Promise<SaveResult> {
    return this.change((list) => {
      const i = list.findIndex((c) => c.id === id);
      if (i < 0) return { ok: false, errors: { nickname: 'This contact no longer exists.' } };
      const old = list[i]!;
      const checked = validateContact(
        draft,
        list.filter((c) => c.id !== id),
        this.parseName,
      );
      if (!checked.ok) return checked;
      // A new name starts over: what the old one pointed to says nothing about it.
      const lastNodeId = checked.fields.name && checked.fields.name === old.name ? old.lastNodeId : null;
      const contact: Contact = { id, ...checked.fields, lastNodeId };
      list[i] = contact;
      return { ok: true, contact };
    });
  }

  async remove(id: string): Promise<void> {
    await this.change((list) => {
      const i = list.findIndex((c) => c.id === id);
      if (i >= 0) list.splice(i, 1);
      return null;
    });
  }

  // After a call to the contact's name reached `nodeId`: remember it for next time.
  async seen(id: string, nodeId: string): Promise<void> {
    if (!NODE_ID_PATTERN.test(nodeId)) throw CopybaraError.BAD_NODE_ID('that is not a node id');
    await this.change((list) => {
      const c = list.find((x) => x.id === id);
      if (c?.name) c.lastNodeId = nodeId;
      return null;
    });
  }

  // Read, change, write; one change at a time. Nothing is written when `fn` reports errors.
  private change<T>(fn: (list: Contact[]) => T): Promise<T> {
    return this.queue.run(async () => {
      const list = await this.list();
      const before = JSON.stringify(list);
      const result = fn(list);
      const failed = typeof result === 'object' && result !== null && 'ok' in result && result.ok === false;
      if (!failed && JSON.stringify(list) !== before) await this.area.set(CONTACTS_KEY, list);
      return result;
    });
  }
}

export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  return [...bytes]
    .map((b) => b.toString(36).padStart(2, '0'))
    .join('')
    .slice(0, 16);
}
