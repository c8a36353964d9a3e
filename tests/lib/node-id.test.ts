import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopybaraError } from '../../lib/errors';
import { NODE_ID_PATTERN, decodeNodeId, encodeNodeId, isNodeId, normaliseNodeId } from '../../lib/node-id';

describe('node id codec', () => {
  it('encodes 32 bytes as 52 characters matching the documented pattern', () => {
    const zero = encodeNodeId(new Uint8Array(32));
    expect(zero).toBe('0'.repeat(52));
    const ones = encodeNodeId(new Uint8Array(32).fill(0xff));
    expect(ones).toBe('z'.repeat(51) + 'g');
    for (let i = 0; i < 200; i++) expect(encodeNodeId(randomBytes(32))).toMatch(NODE_ID_PATTERN);
  });

  it('round-trips every key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (key) => {
        expect(Buffer.from(decodeNodeId(encodeNodeId(key)))).toEqual(Buffer.from(key));
      }),
      { numRuns: 2000 },
    );
  });

  it('has one text per key: non-zero spare bits are refused', () => {
    const id = encodeNodeId(randomBytes(32));
    const last = id.at(-1) === '0' ? '1' : 'h';
    expect(() => decodeNodeId(id.slice(0, -1) + last)).toThrow(/must be 0 or g/);
  });

  it('explains what is wrong with a bad id', () => {
    expect(() => decodeNodeId('abc')).toThrow(/52 characters, this one has 3/);
    expect(() => decodeNodeId('u'.repeat(52))).toThrow(/"u" at position 1/);
    expect(() => encodeNodeId(new Uint8Array(31))).toThrow(CopybaraError);
  });

  it('normalises pasted ids', () => {
    const id = encodeNodeId(randomBytes(32));
    expect(normaliseNodeId(`  ${id.toUpperCase()}\n`)).toBe(id);
    expect(normaliseNodeId('O0IL')).toBe('0011');
  });

  it('rejects random text with a coded error, never anything else', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (s) => {
        try {
          decodeNodeId(s);
          expect(isNodeId(s)).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(CopybaraError);
          expect((err as CopybaraError).code).toBe('BAD_NODE_ID');
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
