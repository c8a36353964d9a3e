import { StunError } from '../errors';
import { ATTR, HEADER_LENGTH, MAGIC_COOKIE, TRANSACTION_ID_LENGTH, type StunClass } from './constants';
import { encodeErrorCode } from './error-code';
import { fingerprintValue } from './fingerprint';
import { integrityValue } from './integrity';
import { messageType } from './message';
import { encodeXorAddress, type TransportAddress } from './xor-address';

const MAX_BODY = 0xffff & ~3;

export interface FinishOptions {
  /** Long-term (or short-term) key: appends MESSAGE-INTEGRITY (RFC 5389 §15.4). */
  integrityKey?: Uint8Array;
  /** Appends FINGERPRINT, always last (RFC 5389 §15.5). */
  fingerprint?: boolean;
}

/** Builds one STUN message into a growable buffer; `finish()` returns the exact bytes. */
export class StunWriter {
  private buf: Buffer;
  private length = HEADER_LENGTH;

  constructor(method: number, cls: StunClass, transactionId: Uint8Array, capacity = 256) {
    if (transactionId.length !== TRANSACTION_ID_LENGTH) throw new StunError('BAD_ATTR', 'transaction id must be 12 bytes');
    this.buf = Buffer.alloc(Math.max(capacity, HEADER_LENGTH));
    // RFC 5389 §6: type, length (patched as attributes are added), cookie, transaction id.
    this.buf.writeUInt16BE(messageType(method, cls), 0);
    this.buf.writeUInt32BE(MAGIC_COOKIE, 4);
    this.buf.set(transactionId, 8);
  }

  private reserve(valueLength: number): number {
    const needed = this.length + 4 + ((valueLength + 3) & ~3);
    if (needed - HEADER_LENGTH > MAX_BODY) throw new StunError('TOO_LARGE', `message would exceed ${MAX_BODY} bytes`);
    if (needed > this.buf.length) {
      const grown = Buffer.alloc(Math.max(needed, this.buf.length * 2));
      this.buf.copy(grown, 0, 0, this.length);
      this.buf = grown;
    }
    return needed;
  }

  /** Appends a TLV; padding bytes are zero (RFC 5389 §15 lets receivers ignore them). */
  add(type: number, value: Uint8Array | string): this {
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (bytes.length > 0xffff) throw new StunError('TOO_LARGE', `attribute of ${bytes.length} bytes`);
    const end = this.reserve(bytes.length);
    this.buf.writeUInt16BE(type, this.length);
    this.buf.writeUInt16BE(bytes.length, this.length + 2);
    this.buf.set(bytes, this.length + 4);
    this.buf.fill(0, this.length + 4 + bytes.length, end);
    this.length = end;
    this.buf.writeUInt16BE(this.length - HEADER_LENGTH, 2);
    return this;
  }

  addU32(type: number, n: number): this {
    const v = Buffer.allocUnsafe(4);
    v.writeUInt32BE(n >>> 0, 0);
    return this.add(type, v);
  }

  addXorAddress(type: number, addr: TransportAddress): this {
    return this.add(type, encodeXorAddress(addr, this.buf.subarray(8, HEADER_LENGTH)));
  }

  addErrorCode(code: number, reason?: string): this {
    return this.add(ATTR.ERROR_CODE, encodeErrorCode(code, reason));
  }

  finish(opts: FinishOptions = {}): Buffer {
    if (opts.integrityKey) {
      const at = this.length;
      // The HMAC covers everything before the attribute; integrityValue() sets the header
      // length as if MESSAGE-INTEGRITY were last, so it can be computed before writing.
      this.add(ATTR.MESSAGE_INTEGRITY, Buffer.alloc(20));
      integrityValue(opts.integrityKey, this.buf.subarray(0, this.length), at).copy(this.buf, at + 4);
    }
    if (opts.fingerprint) {
      const at = this.length;
      this.add(ATTR.FINGERPRINT, Buffer.alloc(4));
      this.buf.writeUInt32BE(fingerprintValue(this.buf, at), at + 4);
    }
    return this.buf.subarray(0, this.length);
  }
}
