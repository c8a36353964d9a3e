import { StunError } from '../errors';
import { ATTR, HEADER_LENGTH, MAGIC_COOKIE, type StunClass } from './constants';

// A decoded STUN message is a view over the datagram it came from: attribute values are
// `subarray`s, never copies, because the server's hot path (Send indications) must not
// pay for copying 1 KB of media per packet. Node hands every 'message' event a buffer of
// its own, so holding views into it is safe.

/** RFC 5389 §6: the class bits C1 (bit 8) and C0 (bit 4) are interleaved with the method. */
export function messageType(method: number, cls: StunClass): number {
  return (method & 0x000f) | ((method & 0x0070) << 1) | ((method & 0x0f80) << 2) | ((cls & 0x1) << 4) | ((cls & 0x2) << 7);
}

export function methodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

export function classOf(type: number): StunClass {
  return (((type >> 7) & 0x2) | ((type >> 4) & 0x1)) as StunClass;
}

export function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

export class StunMessage {
  /** The whole message (header included), a view over the input. */
  readonly raw: Buffer;
  readonly type: number;
  readonly method: number;
  readonly cls: StunClass;
  /** Offset of the MESSAGE-INTEGRITY attribute header, or -1. */
  readonly integrityAt: number;
  /** Offset of the FINGERPRINT attribute header, or -1. */
  readonly fingerprintAt: number;
  // Flat [type, valueOffset, valueLength] triples: one array per message, not one object per
  // attribute.
  private readonly attrs: number[];

  private constructor(raw: Buffer, attrs: number[], integrityAt: number, fingerprintAt: number) {
    this.raw = raw;
    this.type = raw.readUInt16BE(0);
    this.method = methodOf(this.type);
    this.cls = classOf(this.type);
    this.attrs = attrs;
    this.integrityAt = integrityAt;
    this.fingerprintAt = fingerprintAt;
  }

  get transactionId(): Buffer {
    return this.raw.subarray(8, HEADER_LENGTH);
  }

  get attributeCount(): number {
    return this.attrs.length / 3;
  }

  /** Attribute types in wire order (those after MESSAGE-INTEGRITY other than FINGERPRINT excluded). */
  attributeTypes(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.attrs.length; i += 3) out.push(this.attrs[i]!);
    return out;
  }

  has(type: number): boolean {
    for (let i = 0; i < this.attrs.length; i += 3) if (this.attrs[i] === type) return true;
    return false;
  }

  /** RFC 5389 §15: "only the first attribute [of a type] needs to be processed". */
  get(type: number): Buffer | undefined {
    const a = this.attrs;
    for (let i = 0; i < a.length; i += 3) {
      if (a[i] === type) return this.raw.subarray(a[i + 1], a[i + 1]! + a[i + 2]!);
    }
    return undefined;
  }

  /** Every value of a repeatable attribute (CreatePermission may carry several XOR-PEER-ADDRESS). */
  getAll(type: number): Buffer[] {
    const out: Buffer[] = [];
    const a = this.attrs;
    for (let i = 0; i < a.length; i += 3) {
      if (a[i] === type) out.push(this.raw.subarray(a[i + 1], a[i + 1]! + a[i + 2]!));
    }
    return out;
  }

  /** Strict decoder for one whole datagram. Throws only StunError. */
  static decode(input: Uint8Array): StunMessage {
    const buf = toBuffer(input);
    if (buf.length < HEADER_LENGTH) throw new StunError('SHORT', `${buf.length} bytes, a header needs 20`);
    // RFC 5389 §6: "The most significant 2 bits of every STUN message MUST be zeroes."
    if ((buf[0]! & 0xc0) !== 0) throw new StunError('NOT_STUN', 'leading bits are not 00');
    if (buf.readUInt32BE(4) !== MAGIC_COOKIE) throw new StunError('BAD_COOKIE', 'magic cookie mismatch');
    // RFC 5389 §6: the length excludes the header and "the last 2 bits of this field are
    // always zero". Over UDP the message is the whole datagram, so it must match exactly.
    const length = buf.readUInt16BE(2);
    if ((length & 3) !== 0) throw new StunError('BAD_LENGTH', `length ${length} is not a multiple of 4`);
    if (length !== buf.length - HEADER_LENGTH) {
      throw new StunError('BAD_LENGTH', `header says ${length} bytes of attributes, datagram has ${buf.length - 20}`);
    }
    const attrs: number[] = [];
    let integrityAt = -1;
    let fingerprintAt = -1;
    let offset = HEADER_LENGTH;
    while (offset < buf.length) {
      // Everything is 4-aligned (checked above and below), so a short tail cannot happen;
      // the check stays for robustness.
      if (buf.length - offset < 4) throw new StunError('ATTR_OVERFLOW', 'truncated attribute header');
      const type = buf.readUInt16BE(offset);
      const valueLength = buf.readUInt16BE(offset + 2);
      const valueAt = offset + 4;
      // RFC 5389 §15: "Each STUN attribute MUST end on a 32-bit boundary."
      const next = valueAt + ((valueLength + 3) & ~3);
      if (next > buf.length) {
        throw new StunError('ATTR_OVERFLOW', `attribute 0x${type.toString(16)} of ${valueLength} bytes overruns the message`);
      }
      // RFC 5389 §15.5: "When present, the FINGERPRINT attribute MUST be the last attribute".
      if (fingerprintAt >= 0) throw new StunError('BAD_FINGERPRINT', 'attribute after FINGERPRINT');
      if (type === ATTR.FINGERPRINT) {
        if (valueLength !== 4) throw new StunError('BAD_FINGERPRINT', `FINGERPRINT of ${valueLength} bytes`);
        fingerprintAt = offset;
        attrs.push(type, valueAt, valueLength);
      } else if (integrityAt >= 0) {
        // RFC 5389 §15.4: "With the exception of the FINGERPRINT attribute, which appears
        // after MESSAGE-INTEGRITY, agents MUST ignore all other attributes that follow
        // MESSAGE-INTEGRITY."
      } else {
        if (type === ATTR.MESSAGE_INTEGRITY) {
          if (valueLength !== 20) throw new StunError('BAD_INTEGRITY', `MESSAGE-INTEGRITY of ${valueLength} bytes`);
          integrityAt = offset;
        }
        attrs.push(type, valueAt, valueLength);
      }
      offset = next;
    }
    return new StunMessage(buf, attrs, integrityAt, fingerprintAt);
  }
}

/** True when the datagram looks like STUN (two zero bits and the cookie), before full decoding. */
export function looksLikeStun(data: Uint8Array): boolean {
  return (
    data.length >= HEADER_LENGTH && (data[0]! & 0xc0) === 0 && data[4] === 0x21 && data[5] === 0x12 && data[6] === 0xa4 && data[7] === 0x42
  );
}
