import { describe, expect, it } from 'vitest';
import { ResolveError } from '../../../lib/names/errors';
import { MAX_RECORD_LENGTH, NODE_ID_RECORD_KEY, STAEX_ID_RECORD_KEY, nodeIdFromRecord, recordsFromAll } from '../../../lib/names/record';
import { encodeNodeId } from '../../../lib/node-id';

const ID = encodeNodeId(Uint8Array.from({ length: 32 }, (_, i) => i * 7));
const ID2 = encodeNodeId(new Uint8Array(32).fill(0xff));

function malformed(value: unknown): string {
  try {
    nodeIdFromRecord(value, 'bob.azero', NODE_ID_RECORD_KEY);
  } catch (err) {
    expect(ResolveError.is(err, 'RECORD_MALFORMED')).toBe(true);
    return (err as ResolveError).message;
  }
  throw new Error(`${JSON.stringify(value)} was accepted`);
}

describe('nodeIdFromRecord', () => {
  it('accepts a canonical node id, trimming white space around it', () => {
    expect(nodeIdFromRecord(ID, 'bob.azero', NODE_ID_RECORD_KEY)).toBe(ID);
    expect(nodeIdFromRecord(`  ${ID}\n`, 'bob.azero', NODE_ID_RECORD_KEY)).toBe(ID);
  });

  it('the keys are stable', () => {
    expect(NODE_ID_RECORD_KEY).toBe('copybara-id');
    expect(STAEX_ID_RECORD_KEY).toBe('staex-id');
  });

  it.each([
    ['empty', '', /it is empty/],
    ['blank', ' \t ', /it is empty/],
    ['too short', ID.slice(1), /has 52 characters, this one has 51/],
    ['too long', `${ID}0`, /has 52 characters, this one has 53/],
    ['upper case (not canonical)', ID.toUpperCase(), /is not allowed in a node id/],
    ['Crockford look-alike o', `o${ID.slice(1)}`, /"o" at position 1 is not allowed/],
    ['non-zero spare bits', `${ID.slice(0, 51)}1`, /last character of a node id must be 0 or g/],
    ['hex (written as bytes)', `0x${'ab'.repeat(32)}`, /it is hex \(0x…\)/],
    ['hex, upper-case prefix', `0X${'ab'.repeat(25)}`, /it is hex/],
    ['two ids', `${ID} ${ID2}`, /this one has 105/],
    ['an id inside a sentence', `my id is ${ID}`, /has 52 characters/],
    ['a zero-width space inside', `${ID.slice(0, 20)}\u200b${ID.slice(20, 51)}`, /not allowed in a node id/],
    ['non-text', 42, /it is not text/],
  ])('refuses %s', (_what, value, words) => {
    const message = malformed(value);
    expect(message).toMatch(words);
    expect(message).toMatch(/^the copybara-id record of bob\.azero is not a node id: /);
  });

  it('refuses megabytes of text by their length alone, quickly', () => {
    const huge = `${ID}${' '.repeat(8 * 1024 * 1024)}`;
    const t = performance.now();
    expect(malformed(huge)).toMatch(/it is 8388660 characters long; a node id has 52/);
    expect(malformed('x'.repeat(3_000_000))).toMatch(/3000000 characters long/);
    expect(performance.now() - t).toBeLessThan(50);
    expect(malformed('a'.repeat(MAX_RECORD_LENGTH + 1))).toMatch(/characters long/);
  });
});

describe('recordsFromAll', () => {
  it('picks both keys and ignores the rest', () => {
    const all: Array<[string, string]> = [
      ['avatar', 'https://x'],
      [NODE_ID_RECORD_KEY, ID],
      [STAEX_ID_RECORD_KEY, ID2],
      ['twitter', '@bob'],
    ];
    expect(recordsFromAll(all, 'bob.azero')).toEqual({ nodeId: ID, staexId: ID2 });
    expect(recordsFromAll([[STAEX_ID_RECORD_KEY, ID2]], 'bob.azero')).toEqual({ nodeId: null, staexId: ID2 });
    expect(recordsFromAll([], 'bob.azero')).toEqual({ nodeId: null, staexId: null });
  });

  it('keys are exact: no case folding or trimming of keys', () => {
    expect(
      recordsFromAll(
        [
          ['Copybara-Id', ID],
          [' copybara-id', ID],
        ],
        'bob.azero',
      ),
    ).toEqual({ nodeId: null, staexId: null });
  });

  it('a malformed record of either key fails the whole lookup', () => {
    expect(() =>
      recordsFromAll(
        [
          [NODE_ID_RECORD_KEY, ID],
          [STAEX_ID_RECORD_KEY, 'nope'],
        ],
        'bob.azero',
      ),
    ).toThrow(/the staex-id record of bob\.azero/);
  });

  it('two records under one key are a doubt, hence an error', () => {
    expect(() =>
      recordsFromAll(
        [
          [NODE_ID_RECORD_KEY, ID],
          [NODE_ID_RECORD_KEY, ID2],
        ],
        'bob.azero',
      ),
    ).toThrow(/has 2 copybara-id records/);
  });
});
