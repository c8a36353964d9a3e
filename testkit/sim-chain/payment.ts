import { hexToU8a } from '@polkadot/util';
import { registry } from './runtime';

// SIMULATED transaction fees: the shape of pallet-transaction-payment (a base fee, a per-byte
// fee on the encoded length, a fee on the weight) with made-up prices that give a contract
// call roughly 0.0015 AZERO, the order of magnitude Aleph Zero charges. Not Aleph Zero's numbers.

export const BASE_FEE = 1_000_000_000n; // 0.001 AZERO at 12 decimals
export const BYTE_FEE = 2_000_000n;
export const REF_TIME_PER_PLANCK = 1_000n;
// What a contracts.call weighs on top of its gas limit (the pallet's own bookkeeping).
export const CALL_BASE_WEIGHT = { refTime: 300_000_000n, proofSize: 5_000n };

export interface DispatchInfo {
  weight: { refTime: bigint; proofSize: bigint };
  class: 'Normal' | 'Mandatory';
  paysFee: 'Yes' | 'No';
}

// Any decoded call: only its pallet, name and (for contracts.call) gas limit matter.
export interface CallLike {
  section: string;
  method: string;
  args: readonly unknown[];
}

export function dispatchInfo(call: CallLike): DispatchInfo {
  if (call.section === 'timestamp') return { weight: { refTime: 10_000_000n, proofSize: 1_500n }, class: 'Mandatory', paysFee: 'No' };
  let { refTime, proofSize } = CALL_BASE_WEIGHT;
  if (call.section === 'contracts' && call.method === 'call') {
    const gas = call.args[2] as { refTime: { toBigInt(): bigint }; proofSize: { toBigInt(): bigint } };
    refTime += gas.refTime.toBigInt();
    proofSize += gas.proofSize.toBigInt();
  }
  return { weight: { refTime, proofSize }, class: 'Normal', paysFee: 'Yes' };
}

export function partialFee(info: DispatchInfo, length: number): bigint {
  if (info.paysFee === 'No') return 0n;
  return BASE_FEE + BYTE_FEE * BigInt(length) + info.weight.refTime / REF_TIME_PER_PLANCK;
}

// TransactionPaymentApi_query_info(uxt: Extrinsic, len: u32) -> RuntimeDispatchInfo.
export function queryInfoHex(data: string): string {
  const [uxt, len] = registry.createType('(Extrinsic, u32)', hexToU8a(data)) as unknown as [{ method: CallLike }, { toNumber(): number }];
  const info = dispatchInfo(uxt.method);
  return registry
    .createType('RuntimeDispatchInfo', { weight: info.weight, class: info.class, partialFee: partialFee(info, len.toNumber()) })
    .toHex();
}

// The legacy payment_queryInfo RPC: the same answer as JSON.
export function queryInfoJson(extrinsicHex: string) {
  const uxt = registry.createType('Extrinsic', hexToU8a(extrinsicHex));
  const info = dispatchInfo(uxt.method);
  return {
    weight: { ref_time: Number(info.weight.refTime), proof_size: Number(info.weight.proofSize) },
    class: info.class.toLowerCase(),
    partialFee: partialFee(info, uxt.encodedLength).toString(),
  };
}
