import type { Extrinsic } from '@polkadot/types/interfaces';
import type { Codec } from '@polkadot/types/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { blake2AsU8a, signatureVerify } from '@polkadot/util-crypto';
import type { SimBlocks } from './blocks';
import { palletEvent } from './blocks';
import { type Execution, GAS_REQUIRED, REVERT, storageDeposit } from './contract';
import { dispatchInfo, partialFee } from './payment';
import { contractsModuleError, metadata, registry, RUNTIME_VERSION } from './runtime';
import type { SimAccounts } from './storage';

// SIMULATED transaction checks and execution, in the order a substrate node applies them:
// decode, then the signature over the payload rebuilt from what THIS chain knows (genesis,
// spec and transaction versions, the hash of the era's birth block), then the nonce and the
// fee. Only contracts.call (and system.remark, which does nothing) can be executed; any other
// call is refused as unexpected, which a real node would not do.

export interface RpcError {
  code: number;
  message: string;
  data?: string;
  validity?: Record<string, Record<string, null>>; // as TransactionValidityError, for system_dryRun
}

// The errors of substrate's author RPC: 1001 bad format, 1010 invalid, 1011 unknown validity.
const invalid = (data: string, kind: string): RpcError => ({
  code: 1010,
  message: 'Invalid Transaction',
  data,
  validity: { Invalid: { [kind]: null } },
});
const unknown = (data: string, kind: string): RpcError => ({
  code: 1011,
  message: 'Unknown Transaction Validity',
  data,
  validity: { Unknown: { [kind]: null } },
});
export const INVALID = {
  badProof: invalid('Transaction has a bad signature', 'BadProof'),
  stale: invalid('Transaction is outdated', 'Stale'),
  future: invalid('Transaction will be valid in the future', 'Future'),
  ancientBirth: invalid('Transaction has an ancient birth block', 'AncientBirthBlock'),
  payment: invalid('Inability to pay some fees (e.g. account balance too low)', 'Payment'),
  call: invalid('Transaction call is not expected', 'Call'),
  unsigned: unknown('Could not find an unsigned validator for the unsigned transaction', 'NoUnsignedValidator'),
  lookup: unknown('Could not lookup information required to validate the transaction', 'CannotLookup'),
};

export interface CheckedTx {
  ext: Extrinsic;
  hex: string;
  hash: string;
  signer: string; // 0x-hex account id
  nonce: number;
  fee: bigint;
}

export function checkExtrinsic(hex: string, blocks: SimBlocks, accounts: SimAccounts): CheckedTx | RpcError {
  let ext: Extrinsic;
  try {
    ext = registry.createType('Extrinsic', hexToU8a(hex));
    if (ext.toHex() !== hex.toLowerCase()) throw new Error('trailing bytes');
  } catch (e) {
    return { code: 1001, message: `Extrinsic has invalid format: ${(e as Error).message}` };
  }
  if (!ext.isSigned) return INVALID.unsigned;
  // Read through the enum's type/value: this registry's MultiAddress has no isId getter.
  const address = ext.signer as unknown as { type: string; value: Codec };
  if (address.type !== 'Id') return INVALID.lookup;
  const signer = u8aToHex(address.value.toU8a());

  // The era names the block whose hash was signed; a node that no longer knows it refuses.
  const birthHash = ext.era.isMortalEra ? blocks.byNumber(ext.era.asMortalEra.birth(blocks.best.number))?.hash : blocks.genesisHash;
  if (!birthHash) return INVALID.ancientBirth;
  const payload = registry.createType(
    'ExtrinsicPayload',
    {
      method: ext.method.toHex(),
      era: ext.era.toHex(),
      nonce: ext.nonce,
      tip: ext.tip,
      specVersion: RUNTIME_VERSION.specVersion,
      transactionVersion: RUNTIME_VERSION.transactionVersion,
      genesisHash: blocks.genesisHash,
      blockHash: birthHash,
    },
    { version: ext.version & 0x7f },
  );
  const signed = payload.toU8a({ method: true });
  const message = signed.length > 256 ? blake2AsU8a(signed) : signed;
  // The MultiSignature with its type byte, so a signature only counts for the scheme it names.
  const multi = (ext.inner as unknown as { signature: { multiSignature: Codec } }).signature.multiSignature.toU8a();
  if (!signatureVerify(message, multi, signer).isValid) return INVALID.badProof;

  const nonce = ext.nonce.toNumber();
  if (nonce < accounts.nonce(signer)) return INVALID.stale;
  const { section, method } = ext.method;
  if (!(section === 'contracts' && method === 'call') && !(section === 'system' && method.startsWith('remark'))) return INVALID.call;
  const fee = partialFee(dispatchInfo(ext.method), ext.encodedLength) + ext.tip.toBigInt();
  if (accounts.free(signer) < fee) return INVALID.payment;
  return { ext, hex: ext.toHex(), hash: ext.hash.toHex(), signer, nonce, fee };
}

// Runs the contract message a contracts.call carries, faults included.
export type ContractRunner = (caller: string, dest: string, input: Uint8Array) => Execution;

interface Dispatched {
  error: string | null; // a Contracts error name
  apply: (accounts: SimAccounts) => Uint8Array[]; // commits a success, returns its events
}

// What the call does, decided without touching any state.
function dispatchCall(tx: CheckedTx, run: ContractRunner): Dispatched {
  const { section, method, args } = tx.ext.method;
  if (section !== 'contracts' || method !== 'call') return { error: null, apply: () => [] };
  const [dest, , gasLimit, depositLimit, data] = args as unknown as [
    { type: string; value: Codec },
    Codec,
    { refTime: { toBigInt(): bigint }; proofSize: { toBigInt(): bigint } },
    { isSome: boolean; unwrap(): { toBigInt(): bigint } },
    Codec,
  ];
  const contract = dest.type === 'Id' ? u8aToHex(dest.value.toU8a()) : null;
  const exec: Execution = contract ? run(tx.signer, contract, data.toU8a(true)) : { dispatchError: 'ContractNotFound' };
  const deposit = storageDeposit(exec);
  const outOfGas = gasLimit.refTime.toBigInt() < GAS_REQUIRED.refTime || gasLimit.proofSize.toBigInt() < GAS_REQUIRED.proofSize;
  let error: string | null = null;
  if ('dispatchError' in exec) error = exec.dispatchError;
  else if (outOfGas) error = 'OutOfGas';
  else if (exec.flags & REVERT) error = 'ContractReverted';
  else if (depositLimit.isSome && deposit > depositLimit.unwrap().toBigInt()) error = 'StorageDepositLimitExhausted';
  if (error || !contract || !('flags' in exec)) return { error, apply: () => [] };
  return {
    error,
    apply(accounts) {
      exec.commit?.();
      accounts.deposit(tx.signer, deposit);
      const events = [palletEvent('Contracts', 'Called', { caller: { Signed: tx.signer }, contract })];
      if (deposit > 0n)
        events.push(palletEvent('Contracts', 'StorageDepositTransferredAndHeld', { from: tx.signer, to: contract, amount: deposit }));
      if (deposit < 0n)
        events.push(palletEvent('Contracts', 'StorageDepositTransferredAndReleased', { from: contract, to: tx.signer, amount: -deposit }));
      return events;
    },
  };
}

// Applies a checked transaction to the state and returns the events it emits, in the order
// the runtime deposits them. A failed dispatch still costs the fee and uses up the nonce.
export function applyExtrinsic(tx: CheckedTx, accounts: SimAccounts, run: ContractRunner): Uint8Array[] {
  const info = dispatchInfo(tx.ext.method);
  const { error, apply } = dispatchCall(tx, run);
  accounts.included(tx.signer, tx.fee);
  const events = apply(accounts);
  events.push(palletEvent('TransactionPayment', 'TransactionFeePaid', { who: tx.signer, actualFee: tx.fee, tip: tx.ext.tip.toBigInt() }));
  const dispatch = { weight: info.weight, class: info.class, paysFee: info.paysFee };
  events.push(
    error
      ? palletEvent('System', 'ExtrinsicFailed', { dispatchError: { Module: contractsModuleError(error) }, dispatchInfo: dispatch })
      : palletEvent('System', 'ExtrinsicSuccess', { dispatchInfo: dispatch }),
  );
  return events;
}

// system_dryRun: the ApplyExtrinsicResult applying it now would give, with nothing stored.
// Unlike the pool, applying refuses a nonce that is not exactly the next one.
export function dryRunHex(checked: CheckedTx | RpcError, accounts: SimAccounts, run: ContractRunner): string {
  let result: unknown;
  if ('code' in checked) result = { Err: checked.validity };
  else if (checked.nonce > accounts.nonce(checked.signer)) result = { Err: INVALID.future.validity };
  else {
    const { error } = dispatchCall(checked, run);
    result = { Ok: error ? { Err: { Module: contractsModuleError(error) } } : { Ok: null } };
  }
  return registry.createType('ApplyExtrinsicResult', result).toHex();
}

// The timestamp.set inherent every real block opens with, so a transaction is never at index 0
// and event filtering by extrinsic index is exercised the way a real chain exercises it.
export function timestampInherent(now: number): { hex: string; events: Uint8Array[] } {
  const pallet = metadata.asLatest.pallets.find((p) => p.name.toString() === 'Timestamp')!;
  const calls = registry.lookup.getSiType(pallet.calls.unwrap().type).def.asVariant.variants;
  const set = calls.find((v) => v.name.toString() === 'set')!;
  const method = registry.createType('Call', { callIndex: [pallet.index.toNumber(), set.index.toNumber()], args: { now } });
  const ext = registry.createType('Extrinsic', { method });
  const info = dispatchInfo(ext.method);
  return { hex: ext.toHex(), events: [palletEvent('System', 'ExtrinsicSuccess', { dispatchInfo: info })] };
}
