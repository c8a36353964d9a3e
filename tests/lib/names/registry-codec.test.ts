import { TypeRegistry } from '@polkadot/types';
import { compactAddLength, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResolveError } from '../../../lib/names/errors';
import {
  type ContractOutput,
  decodeGetAllRecords,
  decodeGetOwner,
  decodeGetRecord,
  decodeGetRegistry,
  encodeGetAllRecords,
  encodeGetOwner,
  encodeGetRecord,
  encodeGetRegistry,
} from '../../../lib/names/registry-codec';

// Golden vectors derived by hand from the SCALE rules:
//  * compact(n), n < 64:      one byte, n << 2            (3 -> 0x0c, 5 -> 0x14, 11 -> 0x2c, 52 -> 0xd0)
//  * compact(n), n < 2^14:    two bytes LE, (n << 2) | 1  (64 -> 0x0101)
//  * compact(n), n < 2^30:    four bytes LE, (n << 2) | 2
//  * String = compact(byte length) ++ UTF-8 bytes
//  * Result/Option: one tag byte (Ok/None = 0, Err/Some = 1), then the payload
//  * ink! message input = 4-byte selector ++ arguments in order
//  * ink! message output = Result<T, LangError>; Result<V, Error> inside for fallible messages

const hex = (h: string) => hexToU8a(h);
const out = (data: string, flags = 0): ContractOutput => ({ flags, data: hex(data) });
const ID = '0w3ge1r70w3ge1r70w3ge1r70w3ge1r70w3ge1r70w3ge1r70w3g'; // 52 characters

describe('encoding message input', () => {
  it('get_record("bob", "copybara-id")', () => {
    // 7e6cb4ce selector | 0c = compact(3) | 626f62 "bob" | 2c = compact(11) | "copybara-id"
    expect(u8aToHex(encodeGetRecord('bob', 'copybara-id'))).toBe('0x7e6cb4ce0c626f622c636f7079626172612d6964');
  });

  it('get_all_records("alice")', () => {
    // 528be9f1 | 14 = compact(5) | 616c696365 "alice"
    expect(u8aToHex(encodeGetAllRecords('alice'))).toBe('0x528be9f114616c696365');
  });

  it('get_owner("bob")', () => {
    // 07fcd0b1 | 0c | 626f62
    expect(u8aToHex(encodeGetOwner('bob'))).toBe('0x07fcd0b10c626f62');
  });

  it('router get_registry("azero")', () => {
    // 15a5d20a | 14 = compact(5) | 617a65726f "azero"
    expect(u8aToHex(encodeGetRegistry('azero'))).toBe('0x15a5d20a14617a65726f');
  });

  it('a 64-byte key takes the two-byte compact form', () => {
    // 04 = compact(1) "a" | 0101 = (64 << 2) | 1 = 0x0101 little-endian | 64 x "k"
    expect(u8aToHex(encodeGetRecord('a', 'k'.repeat(64)))).toBe(`0x7e6cb4ce04610101${'6b'.repeat(64)}`);
  });

  it('counts bytes, not characters, and never reads "0x…" text as hex', () => {
    // "é" is c3a9 (2 bytes): compact(2) = 08
    expect(u8aToHex(encodeGetRecord('a', 'é'))).toBe('0x7e6cb4ce046108c3a9');
    // "0xdead" is six characters of text: compact(6) = 18, then 30 78 64 65 61 64
    expect(u8aToHex(encodeGetRecord('a', '0xdead'))).toBe('0x7e6cb4ce046118307864656164');
  });

  it('matches @polkadot/types encoding of (String, String) for any text', () => {
    const registry = new TypeRegistry();
    const text = (s: string) => registry.createType('Text', compactAddLength(stringToU8a(s)));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 100 }), fc.string({ unit: 'grapheme', maxLength: 300 }), (name, key) => {
        const theirs = u8aConcat(hex('0x7e6cb4ce'), registry.createType('(Text, Text)', [text(name), text(key)]).toU8a());
        expect(u8aToHex(encodeGetRecord(name, key))).toBe(u8aToHex(theirs));
      }),
      { numRuns: 300 },
    );
  });
});

describe('decoding message output', () => {
  it('get_record Ok(Ok("abc"))', () => {
    // 00 Ok (no LangError) | 00 Ok | 0c compact(3) | 616263 "abc"
    expect(decodeGetRecord(out('0x00000c616263'))).toEqual({ kind: 'ok', value: 'abc' });
  });

  it('get_record Ok(Err(RecordNotFound)) arrives reverted and is decoded anyway', () => {
    // 00 Ok | 01 Err | 08 = Error variant 8, RecordNotFound; flags = REVERT (1)
    expect(decodeGetRecord(out('0x000108', 1))).toEqual({ kind: 'err', index: 8, error: 'RecordNotFound' });
    // ink! 3 did not set the flag; the same bytes mean the same thing
    expect(decodeGetRecord(out('0x000108', 0))).toEqual({ kind: 'err', index: 8, error: 'RecordNotFound' });
  });

  it('get_owner Ok(Err(NameDoesntExist)) and Ok(Ok(account))', () => {
    expect(decodeGetOwner(out('0x000102', 1))).toEqual({ kind: 'err', index: 2, error: 'NameDoesntExist' });
    const account = `${'d4'.repeat(32)}`;
    const ok = decodeGetOwner(out(`0x0000${account}`));
    expect(ok.kind === 'ok' && u8aToHex(ok.value)).toBe(`0x${account}`);
  });

  it('names the registry errors the contract defines, and unknown ones by number', () => {
    expect(decodeGetRecord(out('0x000105', 1))).toMatchObject({ error: 'CallerIsNotController' });
    expect(decodeGetRecord(out('0x000112', 1))).toMatchObject({ index: 18, error: 'RecordsOverflow' });
    // FeeError(19) carries the fee calculator's error as payload
    expect(decodeGetRecord(out('0x00011302', 1))).toMatchObject({ index: 19, error: 'FeeError' });
    expect(decodeGetRecord(out('0x000163', 1))).toMatchObject({ index: 99, error: 'Error #99' });
  });

  it('Err(LangError::CouldNotReadInput) = 01 01, reverted', () => {
    for (const decode of [decodeGetRecord, decodeGetAllRecords, decodeGetOwner, decodeGetRegistry]) {
      expect(decode(out('0x0101', 1))).toEqual({ kind: 'lang', index: 1, error: 'CouldNotReadInput' });
    }
  });

  it('get_all_records Ok(vec![("copybara-id", id)])', () => {
    // 00 Ok | 04 compact(1) entry | 2c "copybara-id" (11 bytes) | d0 = compact(52) | the id
    const data = `0x0004${'2c'}${u8aToHex(stringToU8a('copybara-id')).slice(2)}d0${u8aToHex(stringToU8a(ID)).slice(2)}`;
    expect(decodeGetAllRecords(out(data))).toEqual({ kind: 'ok', value: [['copybara-id', ID]] });
    // 00 Ok | 00 compact(0): no records (also what an unknown or expired name answers)
    expect(decodeGetAllRecords(out('0x0000'))).toEqual({ kind: 'ok', value: [] });
  });

  it('router get_registry: Ok(Some(account)) / Ok(None)', () => {
    const r = decodeGetRegistry(out(`0x0001${'11'.repeat(32)}`));
    expect(r.kind === 'ok' && r.value && u8aToHex(r.value)).toBe(`0x${'11'.repeat(32)}`);
    expect(decodeGetRegistry(out('0x0000'))).toEqual({ kind: 'ok', value: null });
  });

  it('keeps text exactly: no BOM stripping, "0x…" stays text', () => {
    expect(decodeGetRecord(out('0x00000cefbbbf'))).toEqual({ kind: 'ok', value: '\ufeff' });
    expect(decodeGetRecord(out('0x000018307864656164'))).toEqual({ kind: 'ok', value: '0xdead' });
  });

  it.each([
    ['empty answer', '0x', 0, /the answer is empty/],
    ['reverted without output', '0x', 1, /reverted without an answer/],
    ['unknown flag bits', '0x00000c616263', 2, /unknown return flags 0x2/],
    ['a reverted success', '0x00000c616263', 1, /reverted yet answered a value/],
    ['outer tag 2', '0x02', 0, /neither Ok \(0\) nor Err \(1\)/],
    ['inner tag 7', '0x0007', 0, /neither Ok \(0\) nor Err \(1\)/],
    ['trailing byte', '0x00000c616263ff', 0, /1 unexpected byte/],
    ['truncated string', '0x00000c6162', 0, /ends in the middle of the record value/],
    ['invalid UTF-8', '0x000004ff', 0, /not valid UTF-8/],
    ['lone surrogate as CESU-8', '0x00000ceda080', 0, /not valid UTF-8/],
    ['non-canonical compact (3 in two bytes)', '0x00000d00616263', 0, /non-canonical/],
    ['impossibly large length', '0x0000ff' + 'ff'.repeat(20), 0, /impossibly large/],
    ['LangError with trailing data', '0x010100', 1, /unexpected byte/],
  ])('get_record refuses %s', (_what, data, flags, words) => {
    expect(() => decodeGetRecord(out(data, flags))).toThrow(words);
    try {
      decodeGetRecord(out(data, flags));
    } catch (e) {
      expect(ResolveError.is(e, 'CHAIN_ERROR')).toBe(true);
    }
  });

  it('refuses a record count the bytes cannot hold, before allocating', () => {
    // 00 Ok | 03 ffffffff = compact mode 3, 4 bytes: 4294967295 records in 0 bytes
    expect(() => decodeGetAllRecords(out('0x0003ffffffff'))).toThrow(/claims 4294967295 records/);
  });

  it('refuses a bad option tag and a short account from the router', () => {
    expect(() => decodeGetRegistry(out('0x0002'))).toThrow(/option tagged 2/);
    expect(() => decodeGetRegistry(out(`0x0001${'11'.repeat(31)}`))).toThrow(/middle of the registry account/);
  });

  it('agrees with @polkadot/types on random record lists', () => {
    const registry = new TypeRegistry();
    const text = (s: string) => registry.createType('Text', compactAddLength(stringToU8a(s)));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 120 })), {
          maxLength: 12,
        }),
        (records) => {
          const vec = registry.createType(
            'Vec<(Text, Text)>',
            records.map(([k, v]) => [text(k), text(v)]),
          );
          const data = registry.createType('Result<Vec<(Text, Text)>, u8>', { Ok: vec }).toU8a();
          expect(decodeGetAllRecords({ flags: 0, data })).toEqual({ kind: 'ok', value: records });
        },
      ),
      { numRuns: 300 },
    );
  });
});
