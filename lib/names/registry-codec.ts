import { compactToU8a, hexToU8a, stringToU8a, u8aConcat } from '@polkadot/util';
import { ScaleReader, bad } from './scale-reader';

// The one codec for the AZERO.ID contract messages we send (ink! 4, DESIGN §4).
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
  getRegistry: '0x15a5d20a', // router
} as const;

// Registry `Error` variants by SCALE index (azns_registry). FeeError (19) carries the fee
// calculator's own error as payload.
export const REGISTRY_ERRORS = [
  'NotAdmin', 'NameAlreadyExists', 'NameDoesntExist', 'NameNotAllowed', 'CallerIsNotOwner',
  'CallerIsNotController', 'FeeNotPaid', 'NameEmpty', 'RecordNotFound', 'WithdrawFailed',
  'InsufficientBalance', 'NoResolvedAddress', 'AlreadyClaimed', 'InvalidMerkleProof',
  'CannotBuyReservedName', 'NotReservedName', 'NotAuthorised', 'ZeroAddress', 'RecordsOverflow',
  'FeeError', 'OnlyDuringWhitelistPhase', 'RestrictedDuringWhitelistPhase',
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

// Router get_registry(tld) -> Result<Option<AccountId>, LangError>
export function decodeGetRegistry(out: ContractOutput): MessageOutcome<Uint8Array | null> {
  return decodeMessage(out, 'get_registry', false, (r) => {
    const tag = r.u8('the registry option');
    if (tag === 0) return null;
    if (tag === 1) return Uint8Array.from(r.take(32, 'the registry account'));
    throw bad(`get_registry answered an option tagged ${tag}`);
  });
}

function decodeMessage<T>(
  out: ContractOutput,
  message: string,
  returnsResult: boolean,
  value: (r: ScaleReader) => T,
): MessageOutcome<T> {
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
