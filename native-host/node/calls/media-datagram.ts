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
// fragmentation; above ~1,400 bytes they are lost silently on real paths.
// WebRTC keeps its packets near 1,200 bytes (RTP and DTLS alike), so 1,300 leaves room for
// them and, with UDX's own header, stays under 1,400.
//
// A payload too big for that (a DTLS handshake flight with a long certificate: Firefox sends
// one of 1,408 bytes) travels in pieces, each a datagram of its own, and is joined again on
// the other side (media-pieces.ts). Dropping it instead would cost the call set-up a
// retransmission timeout while the browser retries smaller.
//
//   0      1        3        5      6               7
//   | 2    | from   | to     | id   | index | count | piece …      (index, count: 4 bits each)

export const KIND_MEDIA = 1;
export const KIND_PIECE = 2;
export const HEADER = 5;
export const PIECE_HEADER = 7;
export const MAX_DATAGRAM = 1300;
export const MAX_MEDIA_PAYLOAD = MAX_DATAGRAM - HEADER;
// Two pieces carry anything a browser sends over a path with a 1,500-byte MTU.
export const MAX_PIECES = 2;
export const MAX_PIECE_PAYLOAD = MAX_DATAGRAM - PIECE_HEADER;
// The most a TURN client may send in one datagram: in one media datagram, or split.
export const MAX_SPLIT_PAYLOAD = MAX_PIECES * MAX_PIECE_PAYLOAD;

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
  writeMediaDatagram(out, from, to, payload);
  return out;
}

/**
 * Writes the datagram into `out` from offset 0 and returns its length: for senders that
 * reuse one buffer (see mediaSender). Same limits as encodeMediaDatagram.
 */
export function writeMediaDatagram(out: Uint8Array, from: number, to: number, payload: Uint8Array): number {
  if (payload.byteLength > MAX_MEDIA_PAYLOAD) {
    throw CopybaraError.MESSAGE_TOO_LARGE(payload.byteLength, MAX_MEDIA_PAYLOAD);
  }
  if ((from & 0xffff) !== from || (to & 0xffff) !== to) throw CopybaraError.BAD_MESSAGE(`ports ${from} -> ${to} are not 16-bit`);
  const length = HEADER + payload.byteLength;
  if (out.byteLength < length) throw CopybaraError.MESSAGE_TOO_LARGE(length, out.byteLength);
  out[0] = KIND_MEDIA;
  out[1] = from >>> 8;
  out[2] = from & 0xff;
  out[3] = to >>> 8;
  out[4] = to & 0xff;
  out.set(payload, HEADER);
  return length;
}

// The checks all decoders share; throws the codec's errors, returns nothing to allocate.
function check(buf: Uint8Array, kind: number, header: number): void {
  if (buf.byteLength < header) throw CopybaraError.BAD_MESSAGE(`a ${buf.byteLength}-byte datagram is shorter than its header`);
  if (buf.byteLength > MAX_DATAGRAM) throw CopybaraError.MESSAGE_TOO_LARGE(buf.byteLength, MAX_DATAGRAM);
  if (buf[0] !== kind) throw CopybaraError.UNKNOWN_TYPE(buf[0]);
  if ((buf[1] === 0 && buf[2] === 0) || (buf[3] === 0 && buf[4] === 0)) {
    throw CopybaraError.BAD_MESSAGE('port 0 is not a relayed port');
  }
}

export function decodeMediaDatagram(buf: Uint8Array): MediaDatagram {
  check(buf, KIND_MEDIA, HEADER);
  return { from: (buf[1]! << 8) | buf[2]!, to: (buf[3]! << 8) | buf[4]!, payload: buf.subarray(HEADER) };
}

/** Where deliverMediaDatagram hands a payload: TurnServer.deliver. */
export interface MediaSink {
  deliver(username: string, fromPort: number, toPort: number, data: Uint8Array, headroom?: number): boolean;
}

/**
 * The receive path in one step, for the per-packet path: checks the datagram exactly like
 * decodeMediaDatagram (and throws the same errors) and hands its payload to `sink` without
 * a result object, lending the 5 header bytes in front of it so that the TURN server can
 * frame ChannelData in place instead of copying. The datagram is consumed: its bytes may be
 * rewritten and sent later, so the caller must not read or reuse it afterwards. Overlay
 * datagrams qualify: each arrives in its own slice of memory that nothing else writes to.
 */
export function deliverMediaDatagram(buf: Uint8Array, sink: MediaSink, username: string): boolean {
  check(buf, KIND_MEDIA, HEADER);
  return sink.deliver(username, (buf[1]! << 8) | buf[2]!, (buf[3]! << 8) | buf[4]!, buf.subarray(HEADER), HEADER);
}

export interface MediaPiece extends MediaDatagram {
  id: number;
  index: number;
  count: number;
}

/**
 * Sends `payload` (over MAX_MEDIA_PAYLOAD, at most MAX_SPLIT_PAYLOAD bytes) as pieces of
 * near-equal size, each written into `scratch` (MAX_DATAGRAM bytes) and handed to `send`, which
 * must be done with the bytes when it returns. `id` tells this payload's pieces from others'.
 */
export function sendInPieces(
  scratch: Uint8Array,
  from: number,
  to: number,
  id: number,
  payload: Uint8Array,
  send: (datagram: Uint8Array) => void,
): void {
  if (payload.byteLength > MAX_SPLIT_PAYLOAD) throw CopybaraError.MESSAGE_TOO_LARGE(payload.byteLength, MAX_SPLIT_PAYLOAD);
  // One datagram carries it whole: pieces would only cost more.
  if (payload.byteLength <= MAX_MEDIA_PAYLOAD) throw CopybaraError.BAD_MESSAGE(`a ${payload.byteLength}-byte payload fits one datagram`);
  if ((from & 0xffff) !== from || (to & 0xffff) !== to) throw CopybaraError.BAD_MESSAGE(`ports ${from} -> ${to} are not 16-bit`);
  if ((id & 0xff) !== id) throw CopybaraError.BAD_MESSAGE(`piece id ${id} is not 8-bit`);
  if (scratch.byteLength < MAX_DATAGRAM) throw CopybaraError.MESSAGE_TOO_LARGE(MAX_DATAGRAM, scratch.byteLength);
  const count = Math.ceil(payload.byteLength / MAX_PIECE_PAYLOAD);
  const size = Math.ceil(payload.byteLength / count);
  for (let index = 0; index < count; index++) {
    const piece = payload.subarray(index * size, (index + 1) * size);
    scratch[0] = KIND_PIECE;
    scratch[1] = from >>> 8;
    scratch[2] = from & 0xff;
    scratch[3] = to >>> 8;
    scratch[4] = to & 0xff;
    scratch[5] = id;
    scratch[6] = (index << 4) | count;
    scratch.set(piece, PIECE_HEADER);
    send(scratch.subarray(0, PIECE_HEADER + piece.byteLength));
  }
}

// A piece's fields, checked; `payload` is a view into `buf`.
export function decodeMediaPiece(buf: Uint8Array): MediaPiece {
  check(buf, KIND_PIECE, PIECE_HEADER);
  const index = buf[6]! >>> 4;
  const count = buf[6]! & 0x0f;
  if (count < 2 || count > MAX_PIECES) throw CopybaraError.BAD_MESSAGE(`a payload in ${count} pieces (2 to ${MAX_PIECES} allowed)`);
  if (index >= count) throw CopybaraError.BAD_MESSAGE(`piece ${index} of ${count}`);
  if (buf.byteLength === PIECE_HEADER) throw CopybaraError.BAD_MESSAGE('an empty piece');
  return { from: (buf[1]! << 8) | buf[2]!, to: (buf[3]! << 8) | buf[4]!, id: buf[5]!, index, count, payload: buf.subarray(PIECE_HEADER) };
}
