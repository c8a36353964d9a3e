import { StunError } from '../errors';

// Value codecs for the fixed-layout attributes. Each reader checks the exact length the
// RFC gives, because a request we half-understand is worse than one we reject.

function expectLength(value: Uint8Array, length: number, name: string): void {
  if (value.length !== length) throw new StunError('BAD_ATTR', `${name} of ${value.length} bytes, expected ${length}`);
}

function u32(value: Uint8Array): number {
  return ((value[0]! << 24) | (value[1]! << 16) | (value[2]! << 8) | value[3]!) >>> 0;
}

export function encodeU32(n: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(n >>> 0, 0);
  return out;
}

/** RFC 5766 §14.2 LIFETIME: "a 32-bit unsigned integral value representing the number of seconds". */
export function readLifetime(value: Uint8Array): number {
  expectLength(value, 4, 'LIFETIME');
  return u32(value);
}

/** RFC 5766 §14.7 REQUESTED-TRANSPORT: a protocol number followed by 24 RFFU bits. */
export function readRequestedTransport(value: Uint8Array): number {
  expectLength(value, 4, 'REQUESTED-TRANSPORT');
  return value[0]!;
}

export function encodeRequestedTransport(protocol: number): Buffer {
  return Buffer.from([protocol & 0xff, 0, 0, 0]);
}

/** RFC 5766 §14.1 CHANNEL-NUMBER: "a 16-bit unsigned integer followed by a two-octet RFFU". */
export function readChannelNumber(value: Uint8Array): number {
  expectLength(value, 4, 'CHANNEL-NUMBER');
  return (value[0]! << 8) | value[1]!;
}

export function encodeChannelNumber(channel: number): Buffer {
  return Buffer.from([(channel >>> 8) & 0xff, channel & 0xff, 0, 0]);
}

/** RFC 5766 §14.6 EVEN-PORT: one byte whose high bit R asks to reserve the next port. */
export function readEvenPort(value: Uint8Array): { reserveNext: boolean } {
  expectLength(value, 1, 'EVEN-PORT');
  return { reserveNext: (value[0]! & 0x80) !== 0 };
}

/** RFC 5766 §14.9 RESERVATION-TOKEN: 8 opaque bytes. */
export function readReservationToken(value: Uint8Array): Uint8Array {
  expectLength(value, 8, 'RESERVATION-TOKEN');
  return value;
}

/** RFC 6156 §4.1.1 REQUESTED-ADDRESS-FAMILY: family byte (0x01/0x02) then 24 reserved bits. */
export function readRequestedAddressFamily(value: Uint8Array): number {
  expectLength(value, 4, 'REQUESTED-ADDRESS-FAMILY');
  return value[0]!;
}

/** RFC 5389 §15.9 UNKNOWN-ATTRIBUTES: a list of 16-bit attribute types. */
export function readUnknownAttributes(value: Uint8Array): number[] {
  if (value.length % 2 !== 0) throw new StunError('BAD_ATTR', `UNKNOWN-ATTRIBUTES of odd length ${value.length}`);
  const out: number[] = [];
  for (let i = 0; i < value.length; i += 2) out.push((value[i]! << 8) | value[i + 1]!);
  return out;
}

export function encodeUnknownAttributes(types: readonly number[]): Buffer {
  const out = Buffer.allocUnsafe(types.length * 2);
  types.forEach((t, i) => out.writeUInt16BE(t & 0xffff, i * 2));
  return out;
}

// RFC 5389 §15.3: USERNAME is "a UTF-8 ... encoded sequence of less than 513 bytes";
// §15.7/§15.8/§15.10: REALM, NONCE and SOFTWARE are "less than 128 characters (which can
// be as long as 763 bytes)".
export const MAX_USERNAME_BYTES = 512;
export const MAX_TEXT_BYTES = 763;

export function readText(value: Uint8Array, maxBytes: number, name: string): string {
  if (value.length > maxBytes) throw new StunError('BAD_ATTR', `${name} of ${value.length} bytes exceeds ${maxBytes}`);
  return Buffer.from(value.buffer, value.byteOffset, value.length).toString('utf8');
}
