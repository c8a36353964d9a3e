import { CopybaraError } from '../errors';
import { resolveErrorText, sentence } from '../error-text';
import type { ParsedName } from '../names/types';
import { decodeNodeId, normaliseNodeId } from '../node-id';
import { type Contact, findByNickname } from './contacts';
import { type NameParser, checkName, looksLikeName } from './name-input';

// What the popup's "Name or node id" box accepts: a contact's nickname, an AZERO.ID name
// (bob.azero) or a node id. A name or node id that belongs to a contact is called as that
// contact, so its last known node can be compared (lib/ext/dial-plan.ts).

export type Target =
  | { ok: true; kind: 'node'; nodeId: string; contact: Contact | null }
  | { ok: true; kind: 'name'; name: ParsedName; contact: Contact | null }
  | { ok: false; message: string };

export type NameTarget = Extract<Target, { kind: 'name' }>;

const SHORT = 24;

export function parseTarget(input: string, ownNodeId: string | null, contacts: Contact[], parseName: NameParser): Target {
  const text = input.trim();
  if (text === '') return { ok: false, message: "Type a name, a node id or a contact's nickname." };
  const contact = findByNickname(contacts, text);
  if (contact) return contactTarget(contact, ownNodeId, parseName);
  if (looksLikeName(text)) {
    const checked = checkName(text, parseName);
    if (!checked.ok) return { ok: false, message: resolveErrorText(checked.error, text) };
    const full = checked.name.full;
    return { ok: true, kind: 'name', name: checked.name, contact: contacts.find((c) => c.name === full) ?? null };
  }
  // Something short is more likely a nickname or a name without its ending than a
  // mistyped node id: say what is accepted rather than count characters.
  if (text.length < SHORT) return { ok: false, message: `"${text}" is not a contact, a name (like bob.azero) or a node id.` };
  const nodeId = normaliseNodeId(text);
  try {
    decodeNodeId(nodeId);
  } catch (err) {
    return { ok: false, message: err instanceof CopybaraError ? sentence(err.detail) : 'That is not a node id.' };
  }
  if (nodeId === ownNodeId) return { ok: false, message: 'That is your own node id.' };
  return { ok: true, kind: 'node', nodeId, contact: contacts.find((c) => c.nodeId === nodeId && !c.name) ?? null };
}

// A contact is called by its name when it has one (and the name still parses), else by
// its node id.
export function contactTarget(contact: Contact, ownNodeId: string | null, parseName: NameParser): Target {
  if (contact.name) {
    const checked = checkName(contact.name, parseName);
    if (checked.ok) return { ok: true, kind: 'name', name: checked.name, contact };
  }
  const nodeId = contact.nodeId ?? contact.lastNodeId;
  if (!nodeId) return { ok: false, message: `${contact.nickname} has no name or node id that Copybara can call.` };
  if (nodeId === ownNodeId) return { ok: false, message: `${contact.nickname} is your own node.` };
  return { ok: true, kind: 'node', nodeId, contact };
}
