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

/**
 * binding.send for a call's TURN credential: frames each payload into one buffer owned by
 * the returned function and hands it to `link.sendDatagram`, which must be done with the
 * bytes when it returns. StreamLink is: secret-stream encrypts them into a new envelope
 * before trySend returns. Saves an allocation per packet over encodeMediaDatagram.
 */
export function mediaSender(link: { sendDatagram(data: Uint8Array): void }): (from: number, to: number, payload: Uint8Array) => void {
  const scratch = Buffer.allocUnsafe(MAX_DATAGRAM);
  return (from, to, payload) => {
    const length = writeMediaDatagram(scratch, from, to, payload);
    link.sendDatagram(scratch.subarray(0, length));
  };
}

// The checks both decoders share; throws the codec's errors, returns nothing to allocate.
function check(buf: Uint8Array): void {
  if (buf.byteLength < HEADER) throw CopybaraError.BAD_MESSAGE(`a ${buf.byteLength}-byte datagram is shorter than its header`);
  if (buf.byteLength > MAX_DATAGRAM) throw CopybaraError.MESSAGE_TOO_LARGE(buf.byteLength, MAX_DATAGRAM);
  if (buf[0] !== KIND_MEDIA) throw CopybaraError.UNKNOWN_TYPE(buf[0]);
  if ((buf[1] === 0 && buf[2] === 0) || (buf[3] === 0 && buf[4] === 0)) {
    throw CopybaraError.BAD_MESSAGE('port 0 is not a relayed port');
  }
}

export function decodeMediaDatagram(buf: Uint8Array): MediaDatagram {
  check(buf);
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
  check(buf);
  return sink.deliver(username, (buf[1]! << 8) | buf[2]!, (buf[3]! << 8) | buf[4]!, buf.subarray(HEADER), HEADER);
}
