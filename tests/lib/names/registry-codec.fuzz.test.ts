import { TypeRegistry } from '@polkadot/types';
import { compactAddLength, stringToU8a } from '@polkadot/util';
import fc from 'fast-check';
import { byteMutation, mutate } from '../../../testkit/byte-mutation';
import { describe, expect, it } from 'vitest';
import { ResolveError } from '../../../lib/names/errors';
import {
  type ContractOutput,
  decodeGetAllRecords,
  decodeGetOwner,
  decodeGetRecord,
  decodeGetRegistry,
} from '../../../lib/names/registry-codec';

// Whatever a node sends back, each decoder either decodes it or throws a coded CHAIN_ERROR:
// never another exception, never a hang, never a huge allocation.

const DECODERS = { decodeGetRecord, decodeGetAllRecords, decodeGetOwner, decodeGetRegistry };

function check(decode: (o: ContractOutput) => unknown, o: ContractOutput): void {
  try {
    decode(o);
  } catch (err) {
    if (!ResolveError.is(err, 'CHAIN_ERROR')) throw err;
  }
}

// Mostly plausible answers: an Ok/Err prefix, then bytes biased towards small lengths.
const plausible = fc
  .tuple(fc.constantFrom([], [0], [1], [0, 0], [0, 1], [1, 1], [2]), fc.uint8Array({ maxLength: 80 }))
  .map(([head, tail]) => Uint8Array.from([...head, ...tail]));
const flags = fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 0xffffffff }));

describe('registry codec fuzz', () => {
  for (const [name, decode] of Object.entries(DECODERS)) {
    it(`${name}: 10,000 random answers`, () => {
      fc.assert(
        fc.property(fc.oneof(plausible, fc.uint8Array({ maxLength: 300 })), flags, (data, f) => check(decode, { flags: f, data })),
        { numRuns: 10_000 },
      );
    });
  }

  it('mutated valid record lists: 10,000 flips, cuts and extensions', () => {
    const registry = new TypeRegistry();
    const text = (s: string) => registry.createType('Text', compactAddLength(stringToU8a(s)));
    const valid = fc
      .array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 70 })), { maxLength: 5 })
      .map((records) => registry.createType('Result<Vec<(Text, Text)>, u8>', { Ok: records.map(([k, v]) => [text(k), text(v)]) }).toU8a());
    fc.assert(
      fc.property(valid, byteMutation, flags, (data, m, f) => {
        const mutated = mutate(data, m);
        for (const decode of Object.values(DECODERS)) check(decode, { flags: f, data: mutated });
      }),
      { numRuns: 10_000 },
    );
  });

  it('refuses an answer beyond 4 MiB without reading it', () => {
    expect(() => decodeGetAllRecords({ flags: 0, data: new Uint8Array(4 * 1024 * 1024 + 1) })).toThrow(/more than/);
  });
});
