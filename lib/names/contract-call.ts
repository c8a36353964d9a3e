import type { ApiPromise } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { ResolveError } from './errors';
import { type ContractOutput, decodeGetRegistry } from './registry-codec';

// A dry run of one contract message (ContractsApi_call: nothing is signed or stored), shared
// by name resolution and publishing.

// The parts of api.call.contractsApi.call's answer we read. Newer runtimes describe it in
// their own metadata (flags as a `{ bits }` struct, an extra `events` field); reading flags
// through their u32 encoding works for both shapes.
export interface ExecResult {
  gasRequired?: { refTime?: { toBigInt(): bigint }; proofSize?: { toBigInt(): bigint } };
  storageDeposit?: { isCharge: boolean; asCharge: { toBigInt(): bigint }; isRefund: boolean; asRefund: { toBigInt(): bigint } };
  result: {
    isOk: boolean;
    asOk: { flags: { toU8a(): Uint8Array }; data: { toU8a(bare?: boolean): Uint8Array } };
    asErr: { toString(): string; isModule?: boolean; asModule?: unknown };
  };
}
type ContractsCall = (origin: string, dest: string, value: number, gas: null, deposit: null, input: string) => Promise<ExecResult>;

// Value 0, no gas or deposit limit (the node then allows a full block's worth). `origin` is
// whose call it pretends to be: the contract itself for reads, the signer for a rehearsal.
export function dryRunCall(api: ApiPromise, origin: string, dest: string, input: Uint8Array, endpoint: string): Promise<ExecResult> {
  const contracts = (api.call as unknown as { contractsApi?: { call?: ContractsCall } }).contractsApi?.call;
  if (!contracts) return Promise.reject(ResolveError.chain('this chain has no contracts runtime API', endpoint));
  // Hex, not a Uint8Array: polkadot.js reads a bare Uint8Array for `Vec<u8>` as already
  // length-prefixed, and would mangle our input.
  return contracts(origin, dest, 0, null, null, u8aToHex(input));
}

// The contract's own answer, or CHAIN_ERROR when the call failed before the contract could
// answer (a trap, no contract at that address…), naming the dispatch error.
export function outputOf(res: ExecResult, endpoint: string): ContractOutput {
  try {
    const r = res.result;
    if (!r.isOk) throw ResolveError.chain(`the contract call failed on chain (${dispatchErrorText(r.asErr)})`, endpoint);
    const flagBytes = r.asOk.flags.toU8a();
    if (flagBytes.length !== 4) throw ResolveError.chain('the return flags are not a u32', endpoint);
    const flags = (flagBytes[0]! | (flagBytes[1]! << 8) | (flagBytes[2]! << 16) | (flagBytes[3]! << 24)) >>> 0;
    return { flags, data: r.asOk.data.toU8a(true) };
  } catch (err) {
    if (err instanceof ResolveError) throw err;
    throw ResolveError.chain('the answer is not a contract call result', endpoint);
  }
}

// "ContractTrapped", or the raw form when the chain's metadata cannot name it.
export function dispatchErrorText(err: ExecResult['result']['asErr']): string {
  try {
    if (err.isModule && err.asModule) {
      const registry = (err as unknown as { registry: { findMetaError(m: unknown): { name: string } } }).registry;
      return registry.findMetaError(err.asModule).name;
    }
  } catch {
    // fall through to the raw form
  }
  return err.toString().slice(0, 200);
}

// Decoding happens away from the connection; put the endpoint that answered into the error.
export function decodedAt<T>(endpoint: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (ResolveError.is(err, 'CHAIN_ERROR') && err.endpoint === null) throw ResolveError.chain(err.why, endpoint);
    throw err;
  }
}

// The router's get_registry(tld) answer -> the registry's account id (0x hex), or
// CHAIN_ERROR in words.
export function registryFromRouter(out: ContractOutput, router: string, tld: string, endpoint: string): string {
  const r = decodedAt(endpoint, () => decodeGetRegistry(out));
  if (r.kind !== 'ok') throw ResolveError.chain(`the router at ${router} could not answer (${r.error})`, endpoint);
  if (r.value === null) throw ResolveError.chain(`the router at ${router} knows no registry for .${tld}`, endpoint);
  return u8aToHex(r.value);
}
