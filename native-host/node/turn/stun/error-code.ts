import { StunError } from '../errors';
import { ERROR_REASON } from './constants';

// RFC 5389 §15.6 ERROR-CODE: 21 reserved bits, a 3-bit Class (the hundreds digit), an
// 8-bit Number (the code modulo 100), then a UTF-8 reason phrase. "The Class ... MUST be
// between 3 and 6. The Number ... MUST be between 0 and 99." and the reason phrase is
// "MUST be ... less than 128 characters (which can be as long as 763 bytes)".

export interface ErrorCodeValue {
  code: number;
  reason: string;
}

const MAX_REASON_BYTES = 763;

export function encodeErrorCode(code: number, reason: string = ERROR_REASON[code] ?? ''): Buffer {
  if (!Number.isInteger(code) || code < 300 || code > 699) throw new StunError('BAD_ATTR', `error code ${code} out of range`);
  const text = Buffer.from(reason, 'utf8');
  if (text.length > MAX_REASON_BYTES) throw new StunError('TOO_LARGE', 'reason phrase too long');
  const out = Buffer.alloc(4 + text.length);
  out[2] = Math.floor(code / 100);
  out[3] = code % 100;
  text.copy(out, 4);
  return out;
}

export function decodeErrorCode(value: Uint8Array): ErrorCodeValue {
  if (value.length < 4) throw new StunError('BAD_ATTR', `ERROR-CODE of ${value.length} bytes`);
  if (value.length - 4 > MAX_REASON_BYTES) throw new StunError('BAD_ATTR', 'ERROR-CODE reason too long');
  const cls = value[2]! & 0x07;
  const number = value[3]!;
  if (cls < 3 || cls > 6 || number > 99) throw new StunError('BAD_ATTR', `ERROR-CODE class ${cls} number ${number}`);
  const reason = Buffer.from(value.buffer, value.byteOffset + 4, value.length - 4).toString('utf8');
  return { code: cls * 100 + number, reason };
}
