import { TypeRegistry } from '@polkadot/types';
import { compactAddLength, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import fc from 'fast-check';
import { byteMutation, mutate } from '../../../testkit/byte-mutation';
import { describe, expect, it } from 'vitest';
import { ResolveError } from '../../../lib/names/errors';
import {
  type ContractOutput,
  decodeGetControlledNames,
  decodeGetController,
  decodeGetOwnedNames,
  decodeUpdateRecords,
  encodeGetControlledNames,
  encodeGetController,
  encodeGetOwnedNames,
  encodeUpdateRecords,
} from '../../../lib/names/registry-codec';

// The messages publishing needs (update_records, get_controller, the two name listings).
// Golden vectors are written out by hand from the SCALE rules (see registry-codec.test.ts)
// and each is checked against @polkadot/types' own encoding of the same value.

const registry = new TypeRegistry();
const bytes = (s: string) => registry.createType('Bytes', compactAddLength(stringToU8a(s)));
const hex = (h: string) => hexToU8a(h);
const out = (data: string | Uint8Array, flags = 0): ContractOutput => ({ flags, data: typeof data === 'string' ? hex(data) : data });
const ACCOUNT = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const ACCOUNT_HEX = u8aToHex(ACCOUNT).slice(2);
const ID = '0w3ge1r70w3ge1r70w3ge1r70w3ge1r70w3ge1r70w3ge1r70w3g';

// @polkadot/types' encoding of update_records' arguments, for comparison.
function theirUpdate(label: string, records: Array<[string, string | null]>, removeRest: boolean): string {
  const args = registry.createType('(Bytes, Vec<(Bytes, Option<Bytes>)>, bool)', [
    bytes(label),
    records.map(([k, v]) => [bytes(k), v === null ? null : bytes(v)]),
    removeRest,
  ]);
  return u8aToHex(u8aConcat(hex('0xde84a1ba'), args.toU8a()));
}

describe('encoding publish messages', () => {
  it('update_records("bob", [("copybara-id", Some(id))], false)', () => {
    // de84a1ba | 0c "bob" | 04 = compact(1) entry | 2c "copybara-id" | 01 Some | d0 = compact(52) id | 00 false
    const golden = `0xde84a1ba0c626f6204${'2c'}${u8aToHex(stringToU8a('copybara-id')).slice(2)}01d0${u8aToHex(stringToU8a(ID)).slice(2)}00`;
    expect(u8aToHex(encodeUpdateRecords('bob', [['copybara-id', ID]], false))).toBe(golden);
    expect(theirUpdate('bob', [['copybara-id', ID]], false)).toBe(golden);
  });

  it('update_records with a deletion (None) and remove_rest = true', () => {
    // de84a1ba | 04 "a" | 08 = compact(2) | 04 "k" 01 Some 04 "v" | 04 "x" 00 None | 01 true
    const golden = '0xde84a1ba04610804' + '6b' + '0104' + '76' + '04' + '78' + '00' + '01';
    expect(
      u8aToHex(
        encodeUpdateRecords(
          'a',
          [
            ['k', 'v'],
            ['x', null],
          ],
          true,
        ),
      ),
    ).toBe(golden);
    expect(
      theirUpdate(
        'a',
        [
          ['k', 'v'],
          ['x', null],
        ],
        true,
      ),
    ).toBe(golden);
  });

  it('update_records with no records and "0x…" text kept as text', () => {
    expect(u8aToHex(encodeUpdateRecords('bob', [], false))).toBe('0xde84a1ba0c626f620000');
    // "0xdead" is six characters: compact(6) = 18, then 30 78 64 65 61 64
    expect(u8aToHex(encodeUpdateRecords('b', [['k', '0xdead']], false))).toBe('0xde84a1ba04620404' + '6b' + '0118307864656164' + '00');
  });

  it('get_controller("bob")', () => {
    // 0abf0e97 | 0c | 626f62
    expect(u8aToHex(encodeGetController('bob'))).toBe('0x0abf0e970c626f62');
  });

  it('get_owned_names_of_address / get_controlled_names_of_address take the bare 32-byte account', () => {
    const theirs = (sel: string) => u8aToHex(u8aConcat(hex(sel), registry.createType('AccountId', ACCOUNT).toU8a()));
    expect(u8aToHex(encodeGetOwnedNames(ACCOUNT))).toBe(`0xe413b13a${ACCOUNT_HEX}`);
    expect(u8aToHex(encodeGetOwnedNames(ACCOUNT))).toBe(theirs('0xe413b13a'));
    expect(u8aToHex(encodeGetControlledNames(ACCOUNT))).toBe(`0x9f25301e${ACCOUNT_HEX}`);
    expect(u8aToHex(encodeGetControlledNames(ACCOUNT))).toBe(theirs('0x9f25301e'));
    expect(() => encodeGetOwnedNames(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  it('matches @polkadot/types for any records', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 80 });
    fc.assert(
      fc.property(
        text,
        fc.array(fc.tuple(text, fc.option(text, { nil: null })), { maxLength: 8 }),
        fc.boolean(),
        (label, records, rest) => {
          expect(u8aToHex(encodeUpdateRecords(label, records, rest))).toBe(theirUpdate(label, records, rest));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decoding publish answers', () => {
  it('update_records Ok(Ok(())) = 00 00', () => {
    expect(decodeUpdateRecords(out('0x0000'))).toEqual({ kind: 'ok', value: null });
    expect(u8aToHex(registry.createType('Result<Result<Null, u8>, u8>', { Ok: { Ok: null } }).toU8a())).toBe('0x0000');
  });

  it('update_records errors arrive reverted: CallerIsNotController, NameDoesntExist, RecordsOverflow', () => {
    expect(decodeUpdateRecords(out('0x000105', 1))).toEqual({ kind: 'err', index: 5, error: 'CallerIsNotController' });
    expect(decodeUpdateRecords(out('0x000102', 1))).toEqual({ kind: 'err', index: 2, error: 'NameDoesntExist' });
    expect(decodeUpdateRecords(out('0x000112', 1))).toEqual({ kind: 'err', index: 18, error: 'RecordsOverflow' });
    expect(decodeUpdateRecords(out('0x0101', 1))).toEqual({ kind: 'lang', index: 1, error: 'CouldNotReadInput' });
    // A reverted success is a contradiction; anything after () is junk.
    expect(() => decodeUpdateRecords(out('0x0000', 1))).toThrow(/reverted yet answered/);
    expect(() => decodeUpdateRecords(out('0x000000'))).toThrow(/unexpected byte/);
  });

  it('get_controller like get_owner', () => {
    const ok = decodeGetController(out(`0x0000${ACCOUNT_HEX}`));
    expect(ok.kind === 'ok' && u8aToHex(ok.value)).toBe(`0x${ACCOUNT_HEX}`);
    expect(decodeGetController(out('0x000102', 1))).toEqual({ kind: 'err', index: 2, error: 'NameDoesntExist' });
    expect(() => decodeGetController(out(`0x0000${ACCOUNT_HEX.slice(2)}`))).toThrow(/middle of the controller account/);
  });

  it('name listings, current contract: Vec<String>', () => {
    // 00 Ok | 08 = compact(2) | 0c "bob" | 14 "alice"
    const golden = '0x00080c626f6214616c696365';
    expect(u8aToHex(registry.createType('Result<Vec<Bytes>, u8>', { Ok: [bytes('bob'), bytes('alice')] }).toU8a())).toBe(golden);
    for (const decode of [decodeGetOwnedNames, decodeGetControlledNames]) {
      expect(decode(out(golden))).toEqual({ kind: 'ok', value: ['bob', 'alice'] });
      // 00 Ok | 00 = no names (also the old contract's None)
      expect(decode(out('0x0000'))).toEqual({ kind: 'ok', value: [] });
    }
  });

  it('name listings, older contract: Option<Vec<String>>', () => {
    // 00 Ok | 01 Some | 08 = compact(2) | "bob" | "alice"
    const golden = '0x0001080c626f6214616c696365';
    expect(u8aToHex(registry.createType('Result<Option<Vec<Bytes>>, u8>', { Ok: [bytes('bob'), bytes('alice')] }).toU8a())).toBe(golden);
    expect(decodeGetOwnedNames(out(golden))).toEqual({ kind: 'ok', value: ['bob', 'alice'] });
    // 00 Ok | 00 None
    expect(u8aToHex(registry.createType('Result<Option<Vec<Bytes>>, u8>', { Ok: null }).toU8a())).toBe('0x0000');
    // 00 Ok | 01 Some | 00 = empty Vec
    expect(decodeGetControlledNames(out('0x000100'))).toEqual({ kind: 'ok', value: [] });
  });

  it('agrees with @polkadot/types on random name lists in both shapes', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,32}$/);
    const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });
    fc.assert(
      fc.property(fc.array(fc.oneof(label, anyText), { maxLength: 90 }), fc.boolean(), (names, old) => {
        const type = old ? 'Result<Option<Vec<Bytes>>, u8>' : 'Result<Vec<Bytes>, u8>';
        const data = registry.createType(type, { Ok: names.map(bytes) }).toU8a();
        expect(decodeGetOwnedNames({ flags: 0, data })).toEqual({ kind: 'ok', value: names });
      }),
      { numRuns: 400 },
    );
  });

  it('64+ labels (a two-byte count, first byte 01) read the same in both shapes', () => {
    const names = Array.from({ length: 70 }, (_, i) => `name-${i}`);
    for (const type of ['Result<Vec<Bytes>, u8>', 'Result<Option<Vec<Bytes>>, u8>']) {
      const data = registry.createType(type, { Ok: names.map(bytes) }).toU8a();
      expect(decodeGetOwnedNames({ flags: 0, data })).toEqual({ kind: 'ok', value: names });
    }
  });

  it.each([
    ['empty', '0x', 0, /empty/],
    ['a truncated name', '0x00080c626f62', 0, /middle of a name/],
    ['a bad option tag and no Vec reading', '0x0002', 0, /claims|middle|unexpected|non-canonical/],
    ['invalid UTF-8', '0x000404ff', 0, /UTF-8/],
    ['a trailing byte', '0x00040c626f6200', 0, /unexpected byte/],
    ['a count the bytes cannot hold', '0x0003ffffffff', 0, /claims 4294967295 names/],
    ['a reverted list', '0x0000', 1, /reverted yet answered/],
  ])('name listings refuse %s with a CHAIN_ERROR', (_what, data, flags, words) => {
    let caught: unknown;
    try {
      decodeGetOwnedNames(out(data, flags));
    } catch (e) {
      caught = e;
    }
    expect(ResolveError.is(caught, 'CHAIN_ERROR')).toBe(true);
    expect((caught as Error).message).toMatch(words);
  });
});

describe('publish decoders fuzz', () => {
  const DECODERS = { decodeUpdateRecords, decodeGetController, decodeGetOwnedNames, decodeGetControlledNames };
  const plausible = fc
    .tuple(
      fc.constantFrom([], [0], [1], [0, 0], [0, 1], [1, 1], [0, 1, 0], [0, 1, 4], [0, 4], [0, 1, 1]),
      fc.uint8Array({ maxLength: 100 }),
    )
    .map(([head, tail]) => Uint8Array.from([...head, ...tail]));
  const flags = fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 0xffffffff }));
  const check = (decode: (o: ContractOutput) => unknown, o: ContractOutput) => {
    try {
      decode(o);
    } catch (err) {
      if (!ResolveError.is(err, 'CHAIN_ERROR')) throw err;
    }
  };

  for (const [name, decode] of Object.entries(DECODERS)) {
    it(`${name}: 10,000 random answers never throw anything but CHAIN_ERROR`, () => {
      fc.assert(
        fc.property(fc.oneof(plausible, fc.uint8Array({ maxLength: 300 })), flags, (data, f) => check(decode, { flags: f, data })),
        { numRuns: 10_000 },
      );
    });
  }

  it('mutated valid name lists (both shapes): 10,000 flips, cuts and extensions', () => {
    const valid = fc
      .tuple(fc.array(fc.string({ maxLength: 20 }), { maxLength: 6 }), fc.boolean())
      .map(([names, old]) =>
        registry.createType(old ? 'Result<Option<Vec<Bytes>>, u8>' : 'Result<Vec<Bytes>, u8>', { Ok: names.map(bytes) }).toU8a(),
      );
    fc.assert(
      fc.property(valid, byteMutation, flags, (data, m, f) => {
        const mutated = mutate(data, m);
        for (const decode of Object.values(DECODERS)) check(decode, { flags: f, data: mutated });
      }),
      { numRuns: 10_000 },
    );
  });
});
