import type { ErrorInfo } from './errors';
import type { CallInfo, EndReason } from './protocol/native';
import { shortNodeId } from './node-id';

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

// The peer as people know them: their name if the node learnt one, else a short node id.
export function peerLabel(call: Pick<CallInfo, 'peer' | 'peerName'>): string {
  return call.peerName ?? shortNodeId(call.peer);
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
    case 'failed':
      return detail ? withoutStop(sentence(detail)) : 'Something went wrong';
    case null:
      return 'The call is over';
  }
}

// Ends that are failures (shown as "Call failed: …") rather than someone's choice.
export function isFailure(reason: EndReason | null): boolean {
  return reason === 'failed' || reason === 'unreachable' || reason === 'peer-lost';
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
