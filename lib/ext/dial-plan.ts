import type { ErrorInfo } from '../errors';
import { cachedAddressText, resolveErrorText } from '../error-text';
import type { Resolution } from '../names/types';
import { shortNodeId } from '../node-id';
import type { NameTarget } from './target';

// After a name was looked up (or the lookup failed): dial, ask first, or stop, and what to
// tell the user. Pure; the popup's state carries it out.

export type DialPlan =
  // `name`: the name the node id came from (the background shows the call by it once it
  // has confirmed its own lookup said so); `note`: said while calling.
  | { kind: 'dial'; nodeId: string; name: string | null; note: string | null }
  // The contact's name points somewhere new: like a changed safety number, ask first.
  | { kind: 'confirm'; nodeId: string; name: string; note: string | null; message: string }
  | { kind: 'stop'; message: string };

export function planAfterLookup(target: NameTarget, resolution: Resolution, ownNodeId: string | null, now: number): DialPlan {
  const name = resolution.name.full;
  const nodeId = resolution.records.nodeId;
  if (!nodeId) return { kind: 'stop', message: resolveErrorText({ code: 'NO_NODE_ID', message: '' }, name) };
  if (nodeId === ownNodeId) return { kind: 'stop', message: `${name} points to your own node.` };
  const note = resolution.fromCache ? cachedAddressText(name, resolution.verifiedAt, now) : null;
  const last = target.contact?.lastNodeId ?? null;
  if (last && last !== nodeId) {
    return { kind: 'confirm', nodeId, name, note, message: `${name} now points to a different node than last time. Call anyway?` };
  }
  return { kind: 'dial', nodeId, name, note };
}

// Codes after which a contact may still be reached at the node id we saved: the chain
// could not be asked. (A name that is no longer registered is not one of them: someone
// else may hold it now, and the saved node says nothing about that.)
const FALLBACK_CODES = new Set(['CHAIN_UNREACHABLE', 'CHAIN_ERROR', 'TIMEOUT']);

export function planAfterLookupFailure(target: NameTarget, error: ErrorInfo, ownNodeId: string | null): DialPlan {
  const contact = target.contact;
  const saved = contact?.lastNodeId ?? contact?.nodeId ?? null;
  if (contact && saved && saved !== ownNodeId && FALLBACK_CODES.has(error.code)) {
    return {
      kind: 'dial',
      nodeId: saved,
      name: null,
      note: `The name service is not reachable; calling ${contact.nickname} at the node id saved for ${target.name.full} (${shortNodeId(saved)}).`,
    };
  }
  return { kind: 'stop', message: resolveErrorText(error, target.name.full) };
}
