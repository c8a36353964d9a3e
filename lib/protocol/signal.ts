import { type Obj, integer, nullable, object, oneOf, optionalString, string } from './check';

// WebRTC negotiation payloads, carried unchanged from one call tab to the other: by the
// native port to the local node, then by overlay signalling to the peer's node.

export const MAX_SDP = 64 * 1024;
export const MAX_CANDIDATE = 1024;

export type Signal =
  { kind: 'offer' | 'answer'; sdp: string } | { kind: 'candidate'; candidate: string; sdpMid: string | null; sdpMLineIndex: number | null };

export function decodeSignal(value: unknown): Signal {
  const o: Obj = object(value, 'signal');
  const kind = oneOf(o, 'kind', ['offer', 'answer', 'candidate'] as const);
  if (kind === 'candidate') {
    return {
      kind,
      candidate: string(o, 'candidate', MAX_CANDIDATE),
      sdpMid: optionalString(o, 'sdpMid', 64) ?? null,
      sdpMLineIndex: nullable(o, 'sdpMLineIndex', (o, key) => integer(o, key, 0, 255)),
    };
  }
  return { kind, sdp: string(o, 'sdp', MAX_SDP) };
}
