import { CopybaraError } from '../errors';
import { CALL_ID, type Obj, boolean, integer, invitation, nullable, object, oneOf, optionalString, string, version } from './check';
import { decodeSignal, type Signal } from './signal';

// Call signalling between two nodes, on the reliable stream of the overlay connection. The
// connection is already authenticated (Noise): the sender of every message here is the key
// that was dialled or that dialled us, so nothing in a message names its sender.

export const SIGNALLING_VERSION = 1;
export const MAX_SIGNALLING_MESSAGE = 128 * 1024;
export const MAX_NAME = 253;

export type HangupReason = 'hangup' | 'no-answer' | 'failed';
export type RefuseReason = 'link-used' | 'link-expired' | 'wrong-callee';

export type SignallingMessage =
  // `invitation`: the call link this call answers, if any (see native-host/node/calls/invitations.ts).
  | { type: 'ring'; callId: string; name: string | null; video: boolean; invitation: string | null }
  | { type: 'refuse'; callId: string; reason: RefuseReason }
  | { type: 'ringing'; callId: string }
  | { type: 'accept'; callId: string }
  | { type: 'decline'; callId: string }
  | { type: 'busy'; callId: string }
  | { type: 'signal'; callId: string; signal: Signal }
  | { type: 'hangup'; callId: string; reason: HangupReason }
  | { type: 'ping'; seq: number }
  | { type: 'pong'; seq: number };

export type SignallingFrame = SignallingMessage & { v: number };

const TYPES = ['ring', 'refuse', 'ringing', 'accept', 'decline', 'busy', 'signal', 'hangup', 'ping', 'pong'] as const;

export function encodeSignalling(message: SignallingMessage): SignallingFrame {
  return { v: SIGNALLING_VERSION, ...message };
}

export function decodeSignalling(value: unknown): SignallingMessage {
  const o: Obj = object(value, 'signalling message');
  version(o, SIGNALLING_VERSION);
  if (typeof o.type !== 'string' || !(TYPES as readonly string[]).includes(o.type)) {
    throw CopybaraError.UNKNOWN_TYPE(o.type);
  }
  const type = o.type as SignallingMessage['type'];
  if (type === 'ping' || type === 'pong') return { type, seq: integer(o, 'seq', 0, 0xffffffff) };
  const callId = string(o, 'callId', 32, CALL_ID);
  switch (type) {
    case 'ring':
      return {
        type,
        callId,
        name: optionalString(o, 'name', MAX_NAME) ?? null,
        video: boolean(o, 'video'),
        invitation: nullable(o, 'invitation', invitation),
      };
    case 'refuse':
      return { type, callId, reason: oneOf(o, 'reason', ['link-used', 'link-expired', 'wrong-callee'] as const) };
    case 'signal':
      return { type, callId, signal: decodeSignal(o.signal) };
    case 'hangup':
      return { type, callId, reason: oneOf(o, 'reason', ['hangup', 'no-answer', 'failed'] as const) };
    default:
      return { type, callId };
  }
}
