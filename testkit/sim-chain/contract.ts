import type { Codec } from '@polkadot/types/types';
import { compactAddLength, hexToU8a, stringToU8a, u8aToHex } from '@polkadot/util';
import { encodedSize, type RegistryModel } from './registry-model';
import { contractsModuleError, registry } from './runtime';

// SIMULATED contract call: what the node's ContractsApi_call runtime API does for the two
// AZERO.ID contracts we model. Arguments and answers are (de)coded with @polkadot/types
// from the node's metadata — deliberately NOT with lib/names/registry-codec, so the tests
// check our codec against an independent encoder.

export const SEL = {
  getRecord: '0x7e6cb4ce',
  getAllRecords: '0x528be9f1',
  getOwner: '0x07fcd0b1',
  getController: '0x0abf0e97',
  getRecordsSizeLimit: '0x8405efa0',
  updateRecords: '0xde84a1ba',
  getRegistry: '0x15a5d20a',
  getOwnedNamesOfAddress: '0xe413b13a',
  getControlledNamesOfAddress: '0x9f25301e',
} as const;

// SIMULATED storage deposit price: what the dry run charges per byte the records grow (and
// refunds per byte they shrink). Aleph Zero's real price differs; only the shape matters here.
export const DEPOSIT_PER_BYTE = 300_000_000n; // 0.0003 AZERO at 12 decimals

// SIMULATED gas: what every message needs, reported as both consumed and required.
export const GAS_REQUIRED = { refTime: 1_000_000n, proofSize: 10_000n };

export interface ContractsSetup {
  registryAddress: string; // 0x-hex account id
  routerAddress: string;
  tlds: string[]; // TLDs the router maps to the registry
  model: RegistryModel;
}

// What the contract did, before faults and the outer ContractExecResult. A successful message
// that changes storage carries its effect (`commit`), which only a transaction applies, and
// how many bytes storage grew (negative: shrank), which the storage deposit follows.
export type Execution = { flags: number; data: Uint8Array; commit?: () => void; storageDelta?: number } | { dispatchError: string };

export const REVERT = 1;
const UTF8 = new TextDecoder('utf-8', { fatal: true });
const LANG_COULD_NOT_READ_INPUT = { flags: REVERT, data: new Uint8Array([1, 1]) };

export function decodeCallArgs(hex: string) {
  const t = registry.createType('(AccountId, AccountId, Balance, Option<WeightV2>, Option<Balance>, Bytes)', hexToU8a(hex));
  const [origin, dest, , , , input] = t as unknown as [Codec, Codec, Codec, Codec, Codec, { toU8a(bare: boolean): Uint8Array }];
  return { origin: u8aToHex(origin.toU8a()), dest: u8aToHex(dest.toU8a()), input: input.toU8a(true), encodedLength: t.encodedLength };
}

export function execute(setup: ContractsSetup, caller: string, dest: string, input: Uint8Array): Execution {
  if (dest !== setup.registryAddress && dest !== setup.routerAddress) return { dispatchError: 'ContractNotFound' };
  if (input.length < 4) return LANG_COULD_NOT_READ_INPUT;
  const selector = u8aToHex(input.subarray(0, 4));
  const args = input.subarray(4);
  try {
    return dest === setup.routerAddress ? router(setup, selector, args) : registryMessage(setup.model, caller, selector, args);
  } catch (e) {
    if (process.env.SIM_DEBUG) console.error(e);
    // ink! answers any argument it cannot decode (or an unknown selector) this way.
    return LANG_COULD_NOT_READ_INPUT;
  }
}

function router(setup: ContractsSetup, selector: string, args: Uint8Array): Execution {
  if (selector !== SEL.getRegistry) throw new Error('unknown selector');
  const [tld] = strings(args, 1);
  const known = setup.tlds.includes(tld!) ? setup.registryAddress : null;
  return ok(registry.createType('Result<Option<AccountId>, u8>', { Ok: known }));
}

function registryMessage(model: RegistryModel, caller: string, selector: string, args: Uint8Array): Execution {
  switch (selector) {
    case SEL.getRecord: {
      const [name, key] = strings(args, 2);
      return result(model.getRecord(name!, key!), (v) => text(v), 'Bytes');
    }
    case SEL.getAllRecords: {
      const [name] = strings(args, 1);
      const vec = registry.createType(
        'Vec<(Bytes, Bytes)>',
        model.getAllRecords(name!).map(([k, v]) => [text(k), text(v)]),
      );
      return ok(registry.createType('Result<Vec<(Bytes, Bytes)>, u8>', { Ok: vec }));
    }
    case SEL.getOwner:
    case SEL.getController: {
      const [name] = strings(args, 1);
      const out = selector === SEL.getOwner ? model.getOwner(name!) : model.getController(name!);
      return result(out, (v) => registry.createType('AccountId', v), 'AccountId');
    }
    case SEL.getRecordsSizeLimit:
      return ok(registry.createType('Result<Option<u32>, u8>', { Ok: model.recordsSizeLimit }));
    case SEL.updateRecords: {
      const t = registry.createType('(Bytes, Vec<(Bytes, Option<Bytes>)>, bool)', args) as unknown as [Codec, Codec[], Codec];
      const name = utf8(t[0]);
      const changes = (t[1] as unknown as Array<[Codec, { isSome: boolean; unwrap(): Codec }]>).map(
        ([k, v]) => [utf8(k), v.isSome ? utf8(v.unwrap()) : null] as [string, string | null],
      );
      const removeRest = t[2].toJSON() === true;
      const out = model.updateRecords(caller, name, changes, removeRest);
      const exec = result('ok' in out ? { ok: null } : out, () => registry.createType('Null'), 'Null');
      if (!('ok' in out)) return exec;
      const storageDelta = encodedSize(out.ok) - encodedSize(model.getAllRecords(name));
      return { ...exec, storageDelta, commit: () => model.commitRecords(name, out.ok) };
    }
    case SEL.getOwnedNamesOfAddress:
    case SEL.getControlledNamesOfAddress: {
      if (args.length < 32) throw new Error('short AccountId');
      const account = u8aToHex(args.subarray(0, 32));
      const names = selector === SEL.getOwnedNamesOfAddress ? model.ownedNamesOf(account) : model.controlledNamesOf(account);
      return ok(registry.createType('Result<Vec<Bytes>, u8>', { Ok: names.map(text) }));
    }
    default:
      throw new Error('unknown selector');
  }
}

// Ok(value) of a message returning Result<V, Error>, or Ok(Err(e)) with REVERT set, as ink! 4 does.
function result<T>(out: { ok: T } | { err: number }, encode: (v: T) => Codec, type: string): Execution {
  const t = `Result<Result<${type}, u8>, u8>`;
  if ('ok' in out) return ok(registry.createType(t, { Ok: { Ok: encode(out.ok) } }));
  return { flags: REVERT, data: registry.createType(t, { Ok: { Err: out.err } }).toU8a() };
}

function ok(value: Codec): Execution {
  return { flags: 0, data: value.toU8a() };
}

// String arguments, decoded strictly like ink! does (invalid UTF-8 cannot be a String).
function strings(args: Uint8Array, n: number): string[] {
  // polkadot.js collapses a one-element tuple type to the element itself.
  if (n === 1) return [utf8(registry.createType('Bytes', args))];
  const t = registry.createType(`(${Array(n).fill('Bytes').join(', ')})`, args) as unknown as Codec[];
  return Array.from({ length: n }, (_, i) => utf8(t[i]!));
}

function utf8(c: Codec): string {
  return UTF8.decode((c as unknown as { toU8a(bare: boolean): Uint8Array }).toU8a(true));
}

// The SCALE encoding of the String `v` (compact length ++ UTF-8, which is also how Bytes
// encode). Not a Text codec: polkadot.js caps Text at 128 KiB, and passing `v` itself would
// be wrong for values such as "0xdead", which it reads as hex bytes.
function text(v: string): Codec {
  return registry.createType('Bytes', compactAddLength(stringToU8a(v)));
}

// The storage deposit of a call: a reverted or failed call changes no storage.
export function storageDeposit(exec: Execution): bigint {
  if ('dispatchError' in exec || exec.flags & REVERT) return 0n;
  return BigInt(exec.storageDelta ?? 0) * DEPOSIT_PER_BYTE;
}

export function execResultHex(exec: Execution): string {
  const result =
    'dispatchError' in exec
      ? { Err: { Module: contractsModuleError(exec.dispatchError) } }
      : { Ok: { flags: exec.flags, data: u8aToHex(exec.data) } };
  const deposit = storageDeposit(exec);
  return registry
    .createType('ContractExecResult', {
      gasConsumed: GAS_REQUIRED,
      gasRequired: GAS_REQUIRED,
      storageDeposit: deposit < 0n ? { Refund: -deposit } : { Charge: deposit },
      debugMessage: '',
      result,
    })
    .toHex();
}
