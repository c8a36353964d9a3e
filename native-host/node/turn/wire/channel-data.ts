import { StunError } from '../errors';
import { toBuffer } from '../stun/message';

// RFC 5766 §11.4 ChannelData: a 2-byte channel number, a 2-byte length of the application
// data, then the data. It carries the media once a channel is bound, with 4 bytes of
// overhead instead of a Send/Data indication's 36.

export const CHANNEL_MIN = 0x4000;
export const CHANNEL_MAX = 0x7fff;
export const CHANNEL_DATA_HEADER = 4;

export function isChannelNumber(n: number): boolean {
  return Number.isInteger(n) && n >= CHANNEL_MIN && n <= CHANNEL_MAX;
}

export interface ChannelDataView {
  channel: number;
  /** A view into the input, not a copy. */
  data: Buffer;
}

/**
 * Strict decoder for one datagram. RFC 5766 §11.5: "Over UDP, the padding is not required
 * but MAY be included", so the datagram may end right after the data or after up to 3
 * padding bytes. RFC 5766 §11.6: "If the ChannelData message is received in a UDP datagram,
 * and if the UDP datagram is too short to contain the claimed length of the ChannelData
 * message ..., then the message is silently discarded." Anything longer than the padded
 * length is not a ChannelData message either.
 */
export function decodeChannelData(input: Uint8Array): ChannelDataView {
  const buf = toBuffer(input);
  const end = channelDataEnd(buf);
  return { channel: (buf[0]! << 8) | buf[1]!, data: buf.subarray(CHANNEL_DATA_HEADER, end) };
}

/**
 * The same checks as decodeChannelData, for the per-packet path: returns where the
 * application data ends (it starts at 4; the channel number is bytes 0-1) without
 * allocating a view or a result object. Throws the same errors.
 */
export function channelDataEnd(buf: Uint8Array): number {
  if (buf.length < CHANNEL_DATA_HEADER) throw new StunError('SHORT', `${buf.length} bytes, ChannelData needs 4`);
  const channel = (buf[0]! << 8) | buf[1]!;
  if (channel < CHANNEL_MIN || channel > CHANNEL_MAX) {
    throw new StunError('BAD_CHANNEL', `channel 0x${channel.toString(16)} outside 0x4000-0x7FFF`);
  }
  const length = (buf[2]! << 8) | buf[3]!;
  const end = CHANNEL_DATA_HEADER + length;
  if (end > buf.length) throw new StunError('BAD_LENGTH', `ChannelData claims ${length} bytes, has ${buf.length - 4}`);
  if (buf.length > ((end + 3) & ~3)) throw new StunError('BAD_LENGTH', `${buf.length - end} bytes after ChannelData`);
  return end;
}

/** Writes the 4-byte ChannelData header at `at` (the data is expected right after it). */
export function writeChannelDataHeader(out: Uint8Array, at: number, channel: number, length: number): void {
  if (!isChannelNumber(channel)) throw new StunError('BAD_CHANNEL', `channel ${channel} outside 0x4000-0x7FFF`);
  if (!Number.isInteger(length) || length < 0 || length > 0xffff) throw new StunError('TOO_LARGE', `ChannelData of ${length} bytes`);
  out[at] = channel >>> 8;
  out[at + 1] = channel & 0xff;
  out[at + 2] = length >>> 8;
  out[at + 3] = length & 0xff;
}

/** One allocation and one copy of `data`; unpadded unless asked (fine over UDP, §11.5). */
export function encodeChannelData(channel: number, data: Uint8Array, pad = false): Buffer {
  if (!isChannelNumber(channel)) throw new StunError('BAD_CHANNEL', `channel ${channel} outside 0x4000-0x7FFF`);
  if (data.length > 0xffff) throw new StunError('TOO_LARGE', `ChannelData of ${data.length} bytes`);
  const end = CHANNEL_DATA_HEADER + data.length;
  const size = pad ? (end + 3) & ~3 : end;
  const out = Buffer.allocUnsafe(size);
  writeChannelDataHeader(out, 0, channel, data.length);
  out.set(data, CHANNEL_DATA_HEADER);
  if (size > end) out.fill(0, end, size);
  return out;
}
