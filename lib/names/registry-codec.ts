import { compactToU8a, hexToU8a, stringToU8a, u8aConcat } from '@polkadot/util';
import { ScaleReader, bad } from './scale-reader';

// The one codec for the AZERO.ID contract messages we send (ink! 4; docs/names.md).
//
// Input data = 4-byte selector ++ SCALE-encoded arguments; a String is compact(byte length)
// ++ UTF-8 bytes. We build these bytes ourselves and hand them to polkadot.js as bytes, so
// no text ever goes through its "a 0x… string is hex" guessing.
//
// Output data of every ink! 4 message is `Result<T, LangError>`: 0x00 ++ T, or
// 0x01 ++ LangError. Messages returning `Result<V, Error>` nest a second Result, and ink! 4
// sets the REVERT flag whenever that inner result is Err: "record not found" arrives as
// flags=REVERT, data=0x000108 (Ok(Err(RecordNotFound))). A reverted answer is therefore
// decoded like any other; only a reverted *success* is contradictory and refused.

export const SELECTOR = {
  getRecord: '0x7e6cb4ce',
  getAllRecords: '0x528be9f1',
  getOwner: '0x07fcd0b1',
  getController: '0x0abf0e97',
  updateRecords: '0xde84a1ba',
  getOwnedNames: '0xe413b13a',
  getControlledNames: '0x9f25301e',
  getRegistry: '0x15a5d20a', // router
} as const;

// Registry `Error` variants by SCALE index (azns_registry). FeeError (19) carries the fee
// calculator's own error as payload.
export const REGISTRY_ERRORS = [
  'NotAdmin',
  'NameAlreadyExists',
  'NameDoesntExist',
  'NameNotAllowed',
  'CallerIsNotOwner',
  'CallerIsNotController',
  'FeeNotPaid',
  'NameEmpty',
  'RecordNotFound',
  'WithdrawFailed',
  'InsufficientBalance',
  'NoResolvedAddress',
  'AlreadyClaimed',
  'InvalidMerkleProof',
  'CannotBuyReservedName',
  'NotReservedName',
  'NotAuthorised',
  'ZeroAddress',
  'RecordsOverflow',
  'FeeError',
  'OnlyDuringWhitelistPhase',
  'RestrictedDuringWhitelistPhase',
] as const;
const FEE_ERROR = 19;

// ink::LangError variants (index 0 is unused by ink! 4).
export const LANG_ERRORS: Readonly<Record<number, string>> = { 1: 'CouldNotReadInput' };

// Refuse answers beyond this before reading them. Generous: a record of megabytes should
// reach record.ts and be refused there with words, not here as a chain error.
export const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

// pallet-contracts ReturnFlags: bit 0 is REVERT; no other bit is defined.
export const FLAG_REVERT = 1;

export interface ContractOutput {
  flags: number;
  data: Uint8Array;
}

export type MessageOutcome<T> =
  | { kind: 'ok'; value: T }
  // The registry's own Error (`Ok(Err(e))`).
  | { kind: 'err'; index: number; error: string }
  // ink! could not dispatch the message at all (`Err(LangError)`).
  | { kind: 'lang'; index: number; error: string };

function str(text: string): Uint8Array {
  const bytes = stringToU8a(text);
  return u8aConcat(compactToU8a(bytes.length), bytes);
}

export function encodeGetRecord(label: string, key: string): Uint8Array {
  return u8aConcat(hexToU8a(SELECTOR.getRecord), str(label), str(key));
}

export function encodeGetAllRecords(label: string): Uint8Array {
  return u8aConcat(hexToU8a(SELECTOR.getAllRecords), str(label));
}

export function encodeGetOwner(label: string): Uint8Array {
  return u8aConcat(hexToU8a(SELECTOR.getOwner), str(label));
}

export function encodeGetController(label: string): Uint8Array {
  return u8aConcat(hexToU8a(SELECTOR.getController), str(label));
}

// update_records(name, records: Vec<(String, Option<String>)>, remove_rest: bool).
// `null` is None, which deletes the key; remove_rest = true deletes every key not listed.
export function encodeUpdateRecords(
  label: string,
  records: ReadonlyArray<readonly [string, string | null]>,
  removeRest: boolean,
): Uint8Array {
  const parts: Uint8Array[] = [hexToU8a(SELECTOR.updateRecords), str(label), compactToU8a(records.length)];
  for (const [key, value] of records) {
    parts.push(str(key), value === null ? new Uint8Array([0]) : u8aConcat(new Uint8Array([1]), str(value)));
  }
  parts.push(new Uint8Array([removeRest ? 1 : 0]));
  return u8aConcat(...parts);
}

// get_owned_names_of_address(owner: AccountId) / get_controlled_names_of_address(controller).
export function encodeGetOwnedNames(account: Uint8Array): Uint8Array {
  return u8aConcat(hexToU8a(SELECTOR.getOwnedNames), accountId(account));
}

export function encodeGetControlledNames(account: Uint8Array): Uint8Array {
  return u8aConcat(hexToU8a(SELECTOR.getControlledNames), accountId(account));
}

function accountId(account: Uint8Array): Uint8Array {
  // A caller bug, not a chain answer: an AccountId is exactly 32 bytes, and a shorter one
  // would silently shift every byte after it.
  if (account.length !== 32) throw new RangeError(`an account id has 32 bytes, this one has ${account.length}`);
  return account;
}

export function encodeGetRegistry(tld: string): Uint8Array {
  return u8aConcat(hexToU8a(SELECTOR.getRegistry), str(tld));
}

// get_record(name, key) -> Result<Result<String, Error>, LangError>
export function decodeGetRecord(out: ContractOutput): MessageOutcome<string> {
  return decodeMessage(out, 'get_record', true, (r) => r.string('the record value'));
}

// get_all_records(name) -> Result<Vec<(String, String)>, LangError>
export function decodeGetAllRecords(out: ContractOutput): MessageOutcome<Array<[string, string]>> {
  return decodeMessage(out, 'get_all_records', false, (r) => {
    const count = r.compact('the record count');
    // Each (String, String) takes at least two bytes: never trust a count the bytes cannot hold.
    if (count > r.remaining / 2) throw bad(`get_all_records claims ${count} records in ${r.remaining} bytes`);
    const records: Array<[string, string]> = [];
    for (let i = 0; i < count; i++) records.push([r.string('a record key'), r.string('a record value')]);
    return records;
  });
}

// get_owner(name) -> Result<Result<AccountId, Error>, LangError>
export function decodeGetOwner(out: ContractOutput): MessageOutcome<Uint8Array> {
  return decodeMessage(out, 'get_owner', true, (r) => Uint8Array.from(r.take(32, 'the owner account')));
}

// get_controller(name) -> Result<Result<AccountId, Error>, LangError>
export function decodeGetController(out: ContractOutput): MessageOutcome<Uint8Array> {
  return decodeMessage(out, 'get_controller', true, (r) => Uint8Array.from(r.take(32, 'the controller account')));
}

// update_records(...) -> Result<Result<(), Error>, LangError>. Dry-run answers only: a
// committed call's output is not returned to the signer.
export function decodeUpdateRecords(out: ContractOutput): MessageOutcome<null> {
  return decodeMessage(out, 'update_records', true, () => null);
}

// get_owned_names_of_address(owner) -> Result<Vec<String>, LangError> in the registry's
// latest source, but the version deployed earlier returned Option<Vec<String>> (None for an
// account that never held a name). Both contracts may answer on chain (mainnet and testnet
// were upgraded at different times, and the ABI is not on chain to tell us), so the answer is
// read both ways and the reading that consumes exactly every byte, all valid UTF-8, wins.
// The two overlap little: Option starts with 00 or 01, and as a Vec length 00 is "no
// names" (what None means too) while 01 is a two-byte compact of at least 64 names, whose
// strings would then have to line up byte for byte with the Option reading's. If both
// readings still succeed and disagree, the one whose entries all look like registry labels
// is taken; failing that the answer is refused as ambiguous rather than guessed.
export function decodeGetOwnedNames(out: ContractOutput): MessageOutcome<string[]> {
  return decodeNames(out, 'get_owned_names_of_address');
}

export function decodeGetControlledNames(out: ContractOutput): MessageOutcome<string[]> {
  return decodeNames(out, 'get_controlled_names_of_address');
}

const LABEL_LIKE = /^[a-z0-9-]{1,64}$/;

function decodeNames(out: ContractOutput, message: string): MessageOutcome<string[]> {
  return decodeMessage(out, message, false, (r) => {
    const bytes = r.take(r.remaining, `the ${message} answer`);
    const asVec = attempt(() => readNames(new ScaleReader(bytes), message));
    const asOption = attempt(() => {
      const o = new ScaleReader(bytes);
      const tag = o.u8('the names option');
      if (tag === 0) {
        o.end('the names option');
        return [];
      }
      if (tag !== 1) throw bad(`${message} answered an option tagged ${tag}`);
      return readNames(o, message);
    });
    if (asVec.ok && asOption.ok) {
      if (sameList(asVec.value, asOption.value)) return asVec.value;
      const vecLike = asVec.value.every((n) => LABEL_LIKE.test(n));
      const optionLike = asOption.value.every((n) => LABEL_LIKE.test(n));
      if (vecLike !== optionLike) return vecLike ? asVec.value : asOption.value;
      throw bad(`${message}: the answer reads both as Vec<String> and as Option<Vec<String>>, with different names`);
    }
    if (asVec.ok) return asVec.value;
    if (asOption.ok) return asOption.value;
    // The Vec reading's complaint: it is the current contract's shape.
    throw asVec.error;
  });
}

function readNames(r: ScaleReader, message: string): string[] {
  const count = r.compact('the name count');
  // Each String takes at least one byte: never trust a count the bytes cannot hold.
  if (count > r.remaining) throw bad(`${message} claims ${count} names in ${r.remaining} bytes`);
  const names: string[] = [];
  for (let i = 0; i < count; i++) names.push(r.string('a name'));
  r.end(`the ${message} answer`);
  return names;
}

function attempt<T>(read: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    return { ok: false, error };
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

// Router get_registry(tld) -> Result<Option<AccountId>, LangError>
export function decodeGetRegistry(out: ContractOutput): MessageOutcome<Uint8Array | null> {
  return decodeMessage(out, 'get_registry', false, (r) => {
    const tag = r.u8('the registry option');
    if (tag === 0) return null;
    if (tag === 1) return Uint8Array.from(r.take(32, 'the registry account'));
    throw bad(`get_registry answered an option tagged ${tag}`);
  });
}

function decodeMessage<T>(out: ContractOutput, message: string, returnsResult: boolean, value: (r: ScaleReader) => T): MessageOutcome<T> {
  if (!Number.isInteger(out.flags) || out.flags < 0 || out.flags > 0xffffffff) throw bad(`${message}: return flags are not a u32`);
  if ((out.flags & ~FLAG_REVERT) !== 0) throw bad(`${message}: unknown return flags 0x${(out.flags >>> 0).toString(16)}`);
  if (out.data.length > MAX_OUTPUT_BYTES) throw bad(`${message}: the answer is ${out.data.length} bytes, more than ${MAX_OUTPUT_BYTES}`);
  const reverted = (out.flags & FLAG_REVERT) !== 0;
  const r = new ScaleReader(out.data);
  if (r.remaining === 0) {
    throw bad(reverted ? `${message}: the contract reverted without an answer` : `${message}: the answer is empty`);
  }
  const outer = r.u8(`the ${message} answer`);
  if (outer === 1) {
    const index = r.u8('the LangError');
    r.end('the LangError');
    return { kind: 'lang', index, error: LANG_ERRORS[index] ?? `LangError #${index}` };
  }
  if (outer !== 0) throw bad(`${message}: the answer starts with ${outer}, neither Ok (0) nor Err (1)`);

  if (returnsResult) {
    const inner = r.u8(`the ${message} result`);
    if (inner === 1) {
      const index = r.u8('the registry error');
      // FeeError wraps the fee calculator's error; nothing else carries a payload.
      if (index === FEE_ERROR) r.take(r.remaining, 'the fee error');
      r.end('the registry error');
      return { kind: 'err', index, error: REGISTRY_ERRORS[index] ?? `Error #${index}` };
    }
    if (inner !== 0) throw bad(`${message}: the result starts with ${inner}, neither Ok (0) nor Err (1)`);
  }
  if (reverted) throw bad(`${message}: the contract reverted yet answered a value`);
  const v = value(r);
  r.end(`the ${message} answer`);
  return { kind: 'ok', value: v };
}
