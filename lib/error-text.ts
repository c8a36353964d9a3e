import type { ErrorInfo } from './errors';
import type { CallInfo, EndReason } from './protocol/native';
import { shortNodeId } from './node-id';
import type { Verification } from './ext/verification';

// Error codes and end reasons in words, for people. Codes are the contract (lib/errors.ts);
// this is the only place that turns them into sentences.

export const INSTALL_COMMAND = 'npx copybara-host install';

export const HOST_MISSING_TEXT = `The Copybara node is not installed for this browser. Run "${INSTALL_COMMAND}" in the Copybara folder, then reopen this popup.`;

// "a node id has 52 characters" -> "A node id has 52 characters."
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return '';
  const head = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(head) ? head : `${head}.`;
}

// The peer as people know them: their name once it is verified (the name in the ring is
// only a claim, see lib/ext/verification.ts), else a short node id.
export function peerLabel(call: Pick<CallInfo, 'peer'>, verification: Verification | null = null): string {
  return verification?.status === 'verified' ? verification.name : shortNodeId(call.peer);
}

// Why a call ended, from this side's point of view. `who` is peerLabel(call); the
// direction tells whose choice a decline was (the node reports 'declined' to both sides).
export function endReasonText(
  reason: EndReason | null,
  who: string,
  detail: string | null = null,
  direction: CallInfo['direction'] = 'outgoing',
): string {
  const incoming = direction === 'incoming';
  switch (reason) {
    case 'hangup':
      return 'You hung up';
    case 'remote-hangup':
      return `${who} hung up`;
    case 'declined':
      return incoming ? 'You declined the call' : `${who} declined the call`;
    case 'busy':
      return incoming ? `Missed call from ${who} while you were in another call` : `${who} is busy in another call`;
    case 'no-answer':
      return 'No answer';
    case 'missed':
      return `Missed call from ${who}`;
    case 'unreachable':
      return `${who}'s node is not reachable. They may be offline.`;
    case 'peer-lost':
      return `The connection to ${who} was lost`;
    case 'refused':
      return `${who}'s node refused the call${detail ? `: ${withoutStop(detail)}` : ''}`;
    case 'failed':
      return detail ? withoutStop(sentence(detail)) : 'Something went wrong';
    case null:
      return 'The call is over';
  }
}

// Ends that are failures (shown as "Call failed: …") rather than someone's choice.
export function isFailure(reason: EndReason | null): boolean {
  return reason === 'failed' || reason === 'unreachable' || reason === 'peer-lost' || reason === 'refused';
}

function withoutStop(text: string): string {
  return text.replace(/\.$/, '');
}

// An error reply from the background or the node, in words. `who` names the peer when the
// error is about a call.
export function errorText(error: ErrorInfo, who = 'That node'): string {
  const detail = error.message ? ` (${error.message})` : '';
  switch (error.code) {
    case 'BAD_NODE_ID':
      return sentence(error.message || 'that is not a node id');
    case 'SELF_CALL':
      return 'That is your own node id.';
    case 'UNREACHABLE':
      return `${who} is not reachable. It may be offline.`;
    case 'BUSY':
      return 'You are already in a call. Hang up first.';
    case 'UNKNOWN_CALL':
      return 'The Copybara node no longer knows this call.';
    case 'CALL_NOT_ALLOWED':
      return sentence(`that is not possible now${detail}`);
    case 'HOST_MISSING':
      return HOST_MISSING_TEXT;
    case 'HOST_DISCONNECTED':
      return 'Lost contact with the Copybara node. Try again in a moment.';
    case 'NODE_UNAVAILABLE':
      return sentence(`the Copybara node is not running${detail}`);
    case 'TIMEOUT':
      return 'The Copybara node did not answer in time.';
    case 'NAME_INVALID':
    case 'TLD_UNSUPPORTED':
    case 'NAME_NOT_REGISTERED':
    case 'NO_NODE_ID':
    case 'RECORD_MALFORMED':
    case 'CHAIN_UNREACHABLE':
    case 'CHAIN_ERROR':
    case 'CANCELLED':
      return resolveErrorText(error, who === 'That node' ? 'That name' : who);
    case 'BAD_MESSAGE':
    case 'UNKNOWN_VERSION':
    case 'UNKNOWN_TYPE':
    case 'MESSAGE_TOO_LARGE':
      return sentence(`Copybara got a message it did not understand${detail}. The extension and the node may be different versions`);
    default:
      return sentence(`something went wrong in Copybara${detail}`);
  }
}

// Why getUserMedia failed, in words (DOMException names from the Media Capture spec).
export function mediaErrorText(err: unknown, what: 'camera' | 'microphone'): string {
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err) ? String((err as { name: unknown }).name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return `Copybara may not use your ${what}; allow it for this page and try again.`;
    case 'NotFoundError':
    case 'OverconstrainedError':
      return `No ${what} was found.`;
    case 'NotReadableError':
    case 'AbortError':
      return `Your ${what} is in use by another program or could not be started.`;
    default:
      return `Your ${what} could not be started${name ? ` (${name})` : ''}.`;
  }
}

// ---------------------------------------------------------------------------------------
// AZERO.ID names (lib/names ResolveErrorCode). `name` is the name as the user knows it.

export const TLD_LIST = '.azero, .a0 or .tzero';

// lib/names words its errors as sentences (naming the name and, when the chain is
// unreachable, the endpoint); this adds what the user can do about it.
export function resolveErrorText(error: ErrorInfo, name: string): string {
  const said = error.message ? nameSentence(error.message) : null;
  switch (error.code) {
    case 'NAME_INVALID':
      return said ?? 'That is not a valid name.';
    case 'TLD_UNSUPPORTED':
      return said ?? `Copybara can call AZERO.ID names ending in ${TLD_LIST} only.`;
    case 'NAME_NOT_REGISTERED':
      return said ?? `${name} is not registered, or its registration has expired.`;
    case 'NO_NODE_ID':
      return `${said ?? `${name} has no node id on record.`} Ask its owner for their node id.`;
    case 'RECORD_MALFORMED':
      return `${said ?? `The node id on record for ${name} is not a valid node id.`} Ask its owner to publish it again.`;
    case 'CHAIN_UNREACHABLE':
      return `${said ?? 'The name service is not reachable.'} Call a node id or a contact instead, or check the endpoints in Settings.`;
    case 'CHAIN_ERROR':
      return said ?? 'The name service gave an answer Copybara does not understand.';
    case 'CANCELLED':
      return 'Cancelled.';
    default:
      return errorText(error);
  }
}

// 90_000 -> "2 min", 3 * 3600_000 -> "3 h", 50 * 3600_000 -> "2 days".
export function timeAgo(then: number, now: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

// Said when an answer comes from the cache because the chain could not be reached.
export function cachedAddressText(name: string, verifiedAt: number, now: number): string {
  return `Using the saved address of ${name}, last verified ${timeAgo(verifiedAt, now)} (the name service is not reachable).`;
}

// What the call page and the notification say about a caller's claimed name.
export function claimText(v: Verification): string {
  switch (v.status) {
    case 'checking':
      return `claims ${v.name} (checking…)`;
    case 'verified':
      return v.name;
    case 'mismatch':
      return `claims ${v.name} — not that name's owner`;
    case 'unverifiable':
      return `claims ${v.name} (could not be checked: ${checkProblem(v.error)})`;
  }
}

// Why a claimed name could not be checked, as a short phrase.
export function checkProblem(error: ErrorInfo): string {
  switch (error.code) {
    case 'CHAIN_UNREACHABLE':
      return 'the name service is not reachable';
    case 'CHECK_TIMEOUT':
      return 'the name service did not answer in time';
    case 'CACHED_MISMATCH':
      return "the name service is not reachable, and the saved address of this name is a different node";
    case 'NAME_INVALID':
      return 'it is not a valid name';
    case 'TLD_UNSUPPORTED':
      return `only names ending in ${TLD_LIST} can be checked`;
    case 'RECORD_MALFORMED':
      return 'its node id record is malformed';
    case 'CHAIN_ERROR':
      return 'the name service gave an answer Copybara does not understand';
    default:
      return withoutStop(lowerFirst(error.message || 'something went wrong'));
  }
}

// sentence(), except that a leading name keeps its case: "bob.azero is not registered."
function nameSentence(text: string): string {
  const t = text.trim();
  const first = t.split(/\s/, 1)[0] ?? '';
  if (!first.includes('.')) return sentence(t);
  return /[.!?…]$/.test(t) ? t : `${t}.`;
}

function lowerFirst(text: string): string {
  const t = text.trim();
  // Keep names and acronyms ("AZERO.ID …") as they are.
  return /^[A-Z][a-z]/.test(t) ? t[0]!.toLowerCase() + t.slice(1) : t;
}
