import { CopybaraError } from '../../../lib/errors';

// Media datagrams between two nodes, sent as overlay datagrams (unordered, unreliable,
// encrypted by secret-stream). A datagram carries one TURN payload from a relayed port on
// the sender's side to a relayed port on the receiver's side. The virtual IPs are implied by
// the call (caller and callee each have one), so only ports travel.
//
//   0      1        3        5
//   | kind | from   | to     | payload …
//
// Overlay datagrams are single UDP packets with 24 bytes of secret-stream overhead and no
// fragmentation; above ~1,400 bytes they are lost silently on real paths (DESIGN §2).
// WebRTC keeps its packets near 1,200 bytes (RTP and DTLS alike), so 1,300 leaves room for
// them and, with UDX's own header, stays under 1,400.

export const KIND_MEDIA = 1;
export const HEADER = 5;
export const MAX_DATAGRAM = 1300;
export const MAX_MEDIA_PAYLOAD = MAX_DATAGRAM - HEADER;

export interface MediaDatagram {
  from: number;
  to: number;
  payload: Uint8Array;
}

export function encodeMediaDatagram(from: number, to: number, payload: Uint8Array): Buffer {
  if (payload.byteLength > MAX_MEDIA_PAYLOAD) {
    throw CopybaraError.MESSAGE_TOO_LARGE(payload.byteLength, MAX_MEDIA_PAYLOAD);
  }
  const out = Buffer.allocUnsafe(HEADER + payload.byteLength);
  out[0] = KIND_MEDIA;
  out.writeUInt16BE(from, 1);
  out.writeUInt16BE(to, 3);
  out.set(payload, HEADER);
  return out;
}

export function decodeMediaDatagram(buf: Uint8Array): MediaDatagram {
  if (buf.byteLength < HEADER) throw CopybaraError.BAD_MESSAGE(`a ${buf.byteLength}-byte datagram is shorter than its header`);
  if (buf.byteLength > MAX_DATAGRAM) throw CopybaraError.MESSAGE_TOO_LARGE(buf.byteLength, MAX_DATAGRAM);
  if (buf[0] !== KIND_MEDIA) throw CopybaraError.UNKNOWN_TYPE(buf[0]);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const from = view.getUint16(1);
  const to = view.getUint16(3);
  if (from === 0 || to === 0) throw CopybaraError.BAD_MESSAGE('port 0 is not a relayed port');
  return { from, to, payload: buf.subarray(HEADER) };
}
