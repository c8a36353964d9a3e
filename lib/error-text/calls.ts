import type { FamilyCode } from '../errors';
import { shortNodeId } from '../node-id';
import type { CallInfo, EndReason } from '../protocol/native';
import type { Verification } from '../ext/verification';
import { type Words, detailOf, sentence, withoutStop } from './sentence';

// Calls, the native path to the node, and the node's TURN relay, in words.

export const INSTALL_COMMAND = 'npx copybara-host install';

export const HOST_MISSING_TEXT = `The Copybara node is not installed for this browser. Run "${INSTALL_COMMAND}" in the Copybara folder, then reopen this popup.`;

const generic: Words = (error) => sentence(`something went wrong in Copybara${detailOf(error)}`);
const notUnderstood: Words = (error) =>
  sentence(`Copybara got a message it did not understand${detailOf(error)}. The extension and the node may be different versions`);

export const CALL_WORDS: Record<FamilyCode<'call'>, Words> = {
  BAD_NODE_ID: (error) => sentence(error.message || 'that is not a node id'),
  SELF_CALL: () => 'That is your own node id.',
  UNREACHABLE: (_, who) => `${who} is not reachable. It may be offline.`,
  BUSY: () => 'You are already in a call. Hang up first.',
  UNKNOWN_CALL: () => 'The Copybara node no longer knows this call.',
  CALL_NOT_ALLOWED: (error) => sentence(`that is not possible now${detailOf(error)}`),
  SHOWN_ELSEWHERE: () => 'This call is open in another tab; it goes on there. You can close this one.',
  TIMEOUT: () => 'The Copybara node did not answer in time.',
  // Firefox talks to a call relay only on a local network address, which exists only while
  // the computer is connected to a network.
  NO_LOCAL_ADDRESS: () =>
    'Firefox can make calls only while this computer is connected to a network (it reaches the Copybara node through a network address, never through 127.0.0.1). Connect to a network, then call again.',
  INTERNAL: generic,
};

export const NATIVE_WORDS: Record<FamilyCode<'native'>, Words> = {
  HOST_MISSING: () => HOST_MISSING_TEXT,
  HOST_DISCONNECTED: () => 'Lost contact with the Copybara node. Try again in a moment.',
  NODE_UNAVAILABLE: (error) => sentence(`the Copybara node is not running${detailOf(error)}`),
  BAD_MESSAGE: notUnderstood,
  UNKNOWN_VERSION: notUnderstood,
  UNKNOWN_TYPE: notUnderstood,
  MESSAGE_TOO_LARGE: notUnderstood,
};

// The relay counts and logs these rather than showing them; the words are for the log
// reader and for the rare case one escapes as an ordinary failure.
const relayProblem: Words = (error) => sentence(`the call relay got a malformed STUN/TURN message${detailOf(error)}`);

export const STUN_WORDS: Record<FamilyCode<'stun'>, Words> = {
  SHORT: relayProblem,
  NOT_STUN: relayProblem,
  BAD_COOKIE: relayProblem,
  BAD_LENGTH: relayProblem,
  ATTR_OVERFLOW: relayProblem,
  BAD_ATTR: relayProblem,
  BAD_FINGERPRINT: relayProblem,
  BAD_INTEGRITY: relayProblem,
  BAD_CHANNEL: relayProblem,
  TOO_LARGE: (error) => sentence(`the call relay could not fit a message${detailOf(error)}`),
};

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
    case 'no-relay':
      return 'No relay could be reached, so Copybara cannot connect without showing your address. Pin a relay in Settings, or allow direct connections with contacts.';
    case 'nat':
      return `Could not connect to ${who}: both networks block direct connections. Calls through a relay get across; turn off direct connections with contacts in Settings.`;
    case 'relay-failed':
      return `The relay between you and ${who} could not be reached or stopped forwarding. Try again: another relay is used next. Pin a relay you trust in Settings.`;
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
  return (
    reason === 'failed' ||
    reason === 'unreachable' ||
    reason === 'no-relay' ||
    reason === 'nat' ||
    reason === 'relay-failed' ||
    reason === 'peer-lost' ||
    reason === 'refused'
  );
}

// Why getUserMedia failed, in words (DOMException names from the Media Capture spec).
export function mediaErrorText(err: unknown, what: 'camera' | 'microphone'): string {
  const name = err instanceof Error || (typeof err === 'object' && err !== null && 'name' in err) ? String(err.name) : '';
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

// How a call's connection runs, in words: through a relay (short key) or directly.
export function routeText(route: CallInfo['route']): string {
  if (!route) return 'Not connected yet';
  // Staex hands each node a node-local address: that is all either side sees of the other.
  if (route.network === 'staex') return 'Staex network, between node-local addresses';
  return route.relay ? `Relayed through relay ${shortNodeId(route.relay)}` : "Direct (each side sees the other's address)";
}
