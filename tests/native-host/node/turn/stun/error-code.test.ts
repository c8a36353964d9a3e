import { describe, expect, it } from 'vitest';
import { ERROR_REASON } from '../../../../../native-host/node/turn/stun/constants';
import { decodeErrorCode, encodeErrorCode } from '../../../../../native-host/node/turn/stun/error-code';
import { codeOf } from '../../../../../testkit/turn/codes';

describe('ERROR-CODE (RFC 5389 §15.6)', () => {
  it.each(Object.keys(ERROR_REASON).map(Number))('%i round-trips with its reason phrase', (code) => {
    const value = encodeErrorCode(code);
    const reason = ERROR_REASON[code]!;
    expect(value.length).toBe(4 + Buffer.byteLength(reason));
    expect(value[2]).toBe(Math.floor(code / 100));
    expect(value[3]).toBe(code % 100);
    expect(decodeErrorCode(value)).toEqual({ code, reason });
  });

  it('encodes the class in the low 3 bits and the number below 100', () => {
    expect([...encodeErrorCode(438, '')]).toEqual([0, 0, 4, 38]);
    expect(decodeErrorCode(encodeErrorCode(599, 'héllo'))).toEqual({ code: 599, reason: 'héllo' });
  });

  it('rejects malformed values', () => {
    expect(codeOf(() => decodeErrorCode(Buffer.from([0, 0, 4])))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeErrorCode(Buffer.from([0, 0, 2, 0])))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeErrorCode(Buffer.from([0, 0, 7, 0])))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeErrorCode(Buffer.from([0, 0, 4, 100])))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeErrorCode(Buffer.alloc(4 + 764, 0x41).fill(4, 2, 3)))).toBe('BAD_ATTR');
    expect(codeOf(() => encodeErrorCode(200))).toBe('BAD_ATTR');
    expect(codeOf(() => encodeErrorCode(400, 'x'.repeat(800)))).toBe('TOO_LARGE');
  });
});
