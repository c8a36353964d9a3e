import type { ApiPromise } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { dispatchErrorText, outputOf } from '../names/contract-call';
import { parseName } from '../names/name';
import { NODE_ID_RECORD_KEY, STAEX_ID_RECORD_KEY, nodeIdFromRecord } from '../names/record';
import { decodeGetRecord, decodeUpdateRecords, encodeGetRecord, encodeUpdateRecords } from '../names/registry-codec';
import { shown } from '../names/errors';
import { bounded, duration } from '../names/wait';
import { type Token, formatAmount } from './amount';
import {
  DEFAULT_QUERY_TIMEOUT_MS,
  type RegistryRef,
  accountBytes,
  dryRun,
  endpointOf,
  findRegistry,
  readContract,
  sameAccount,
} from './chain';
import { type DomainRole, holders, notRegistry, parseInRegistry } from './domains';
import { PublishError, asPublishError } from './errors';

// Before anything is signed, the whole transaction is rehearsed: a dry run of update_records
// from the user's own account tells us whether the registry would accept it (owner or
// controller, name alive, records within the size limit), how much gas it needs and what
// storage deposit it moves; paymentInfo prices it. A refusal is therefore reported in words
// before the wallet ever opens, and the numbers shown are the ones the chain computed.

export interface Amount {
  amount: bigint;
  text: string;
}

export interface RecordChange {
  key: string;
  current: string | null;
  next: string;
}

export interface Weight {
  refTime: bigint;
  proofSize: bigint;
}

export interface PublishPlan {
  address: string;
  name: string; // 'bob.azero'
  label: string;
  registry: RegistryRef;
  role: DomainRole;
  // Every requested key with its value now; `records` holds only those that differ.
  changes: RecordChange[];
  records: Array<[string, string]>;
  upToDate: boolean;
  // update_records(label, records, remove_rest = false), as hex of our own bytes.
  input: `0x${string}`;
  gasRequired: Weight;
  gasLimit: Weight;
  storageDeposit: { kind: 'charge' | 'refund' | 'none'; amount: bigint; text: string };
  storageDepositLimit: bigint | null;
  fee: Amount | null;
  token: Token;
  summary: string;
}

export interface PlanOptions {
  address: string;
  name: string;
  records: ReadonlyArray<readonly [string, string]>;
  registry?: RegistryRef;
}

// Headroom over the dry run's figures: the state may move a little between rehearsal and
// inclusion (another record written meanwhile). Beyond that the transaction fails on chain
// rather than spend more than the user was shown.
const GAS_MARGIN_PERCENT = 20n;
const DEPOSIT_MARGIN_PERCENT = 10n;

export async function planPublish(api: ApiPromise, opts: PlanOptions): Promise<PublishPlan> {
  accountBytes(opts.address);
  let typed;
  try {
    typed = parseName(opts.name);
  } catch (err) {
    throw asPublishError(err);
  }
  const registry = opts.registry ?? (await findRegistry(api, typed.tld));
  const name = parseInRegistry(opts.name, registry);
  const wanted = checkedRecords(opts.records, name.full);
  const token = tokenOf(api);

  const [h, current] = await Promise.all([
    holders(api, registry, name),
    Promise.all(wanted.map(([key]) => currentValue(api, registry, name.label, key))),
  ]);
  if (!h) throw PublishError.notFound(name.full);
  const isOwner = sameAccount(h.owner, opts.address);
  const isController = sameAccount(h.controller, opts.address);
  if (!isOwner && !isController) throw PublishError.notController(name.full);
  const role: DomainRole = isOwner && isController ? 'owner and controller' : isOwner ? 'owner' : 'controller';

  const changes = wanted.map(([key, next], i) => ({ key, current: current[i]!, next }));
  const records = changes.filter((c) => c.current !== c.next).map((c) => [c.key, c.next] as [string, string]);
  const base = { address: opts.address, name: name.full, label: name.label, registry, role, changes, records, token };
  const input = encodeUpdateRecords(name.label, records, false);
  if (records.length === 0) {
    const zero = { refTime: 0n, proofSize: 0n };
    return {
      ...base,
      upToDate: true,
      input: u8aToHex(input),
      gasRequired: zero,
      gasLimit: zero,
      storageDeposit: { kind: 'none', amount: 0n, text: formatAmount(0n, token) },
      storageDepositLimit: null,
      fee: null,
      summary: `${name.full} already holds ${describe(wanted)}: nothing to publish.`,
    };
  }

  const { exec, endpoint } = await dryRun(api, opts.address, registry.address, input);
  if (!exec.result.isOk) throw dispatchFailure(dispatchErrorText(exec.result.asErr), name.full, endpoint);
  let outcome;
  try {
    outcome = decodeUpdateRecords(outputOf(exec, endpoint));
  } catch (err) {
    throw asPublishError(err, endpoint);
  }
  if (outcome.kind === 'lang') throw notRegistry(registry, outcome.error);
  if (outcome.kind === 'err') throw refusal(outcome.error, name.full);

  const gasRequired = weightOf(exec, endpoint);
  const gasLimit = {
    refTime: withMargin(gasRequired.refTime, GAS_MARGIN_PERCENT),
    proofSize: withMargin(gasRequired.proofSize, GAS_MARGIN_PERCENT),
  };
  const deposit = depositOf(exec);
  const storageDeposit = { ...deposit, text: formatAmount(deposit.amount, token) };
  const storageDepositLimit = deposit.kind === 'charge' ? withMargin(deposit.amount, DEPOSIT_MARGIN_PERCENT) : 0n;
  const fee = await estimateFee(api, registry.address, gasLimit, storageDepositLimit, u8aToHex(input), opts.address, token);

  return {
    ...base,
    upToDate: false,
    input: u8aToHex(input),
    gasRequired,
    gasLimit,
    storageDeposit,
    storageDepositLimit,
    fee,
    summary: summaryOf(name.full, records, fee, storageDeposit),
  };
}

// The contracts.call extrinsic a plan describes, shared with submit.ts so the transaction
// signed is the one that was priced.
export function contractsCallTx(api: ApiPromise, dest: string, gasLimit: Weight, storageDepositLimit: bigint | null, input: `0x${string}`) {
  const call = api.tx['contracts']?.['call'];
  if (typeof call !== 'function') throw PublishError.chain('this chain has no contracts pallet', endpointOf(api));
  return call(dest, 0, gasLimit, storageDepositLimit, input);
}

export function tokenOf(api: ApiPromise): Token {
  const decimals = api.registry.chainDecimals[0];
  const symbol = api.registry.chainTokens[0];
  return { decimals: typeof decimals === 'number' ? decimals : 12, symbol: symbol ?? 'AZERO' };
}

function checkedRecords(records: ReadonlyArray<readonly [string, string]>, name: string): Array<[string, string]> {
  if (records.length === 0) throw new PublishError('BAD_RECORD', 'There is nothing to publish: no record was given.');
  const seen = new Set<string>();
  return records.map(([key, value]) => {
    if (typeof key !== 'string' || key === '' || typeof value !== 'string') {
      throw new PublishError('BAD_RECORD', 'A record needs a key and a text value.');
    }
    if (seen.has(key)) throw new PublishError('BAD_RECORD', `The record "${shown(key)}" was given twice.`);
    seen.add(key);
    if (key === NODE_ID_RECORD_KEY || key === STAEX_ID_RECORD_KEY) {
      // Written exactly as resolvers will read it: a canonical node id and nothing else.
      let id: string;
      try {
        id = nodeIdFromRecord(value, name, key);
      } catch (err) {
        throw new PublishError(
          'BAD_RECORD',
          `This cannot be published as ${key}: ${err instanceof Error ? err.message.replace(/^.*? is not a node id: /, '') : String(err)}.`,
        );
      }
      if (id !== value) throw new PublishError('BAD_RECORD', `The ${key} value has white space around it; publish the node id alone.`);
    }
    return [key, value];
  });
}

async function currentValue(api: ApiPromise, registry: RegistryRef, label: string, key: string): Promise<string | null> {
  const out = await readContract(api, registry.address, encodeGetRecord(label, key), decodeGetRecord);
  if (out.kind === 'ok') return out.value;
  if (out.kind === 'lang') throw notRegistry(registry, out.error);
  // RecordNotFound: no such key (or no such name, which holders() reports in words).
  if (out.error === 'RecordNotFound' || out.error === 'NameDoesntExist') return null;
  throw PublishError.chain(`the registry refused to read the ${key} record (${out.error})`);
}

// The registry's own refusal, in words.
export function refusal(error: string, name: string): PublishError {
  switch (error) {
    case 'CallerIsNotController':
    case 'CallerIsNotOwner':
    case 'NotAuthorised':
      return PublishError.notController(name);
    case 'NameDoesntExist':
      return PublishError.notFound(name);
    case 'RecordsOverflow':
      return PublishError.overflow(name);
    default:
      return PublishError.chain(`the registry refused to update the records of ${name} (${error})`);
  }
}

// The dry run failed before the contract could answer.
function dispatchFailure(error: string, name: string, endpoint: string): PublishError {
  if (/NotEnoughFunds|BalanceLow|InsufficientBalance|FundsUnavailable|TransferFailed/.test(error)) {
    return new PublishError(
      'INVALID',
      `This account does not have enough AZERO to pay the storage deposit for the records of ${name} (${error}). Add some AZERO to it and try again.`,
      endpoint,
    );
  }
  if (error === 'ContractNotFound') return PublishError.chain(`there is no contract at the registry address given for ${name}`, endpoint);
  return PublishError.chain(`the registry failed while trying the change (${error})`, endpoint);
}

function weightOf(
  exec: { gasRequired?: { refTime?: { toBigInt(): bigint }; proofSize?: { toBigInt(): bigint } } },
  endpoint: string,
): Weight {
  const refTime = exec.gasRequired?.refTime?.toBigInt();
  const proofSize = exec.gasRequired?.proofSize?.toBigInt();
  if (refTime === undefined || proofSize === undefined)
    throw PublishError.chain('the dry run did not say how much gas the call needs', endpoint);
  return { refTime, proofSize };
}

function depositOf(exec: {
  storageDeposit?: { isCharge: boolean; asCharge: { toBigInt(): bigint }; isRefund: boolean; asRefund: { toBigInt(): bigint } };
}) {
  const d = exec.storageDeposit;
  const charge = d?.isCharge ? d.asCharge.toBigInt() : 0n;
  const refund = d?.isRefund ? d.asRefund.toBigInt() : 0n;
  if (charge > 0n) return { kind: 'charge' as const, amount: charge };
  if (refund > 0n) return { kind: 'refund' as const, amount: refund };
  return { kind: 'none' as const, amount: 0n };
}

function withMargin(v: bigint, percent: bigint): bigint {
  return v + (v * percent + 99n) / 100n;
}

// The fee is an estimate shown to the user; a node that cannot price a transaction still
// lets the wallet show its own figure, so only an unreachable node stops the plan here.
async function estimateFee(
  api: ApiPromise,
  dest: string,
  gasLimit: Weight,
  depositLimit: bigint | null,
  input: `0x${string}`,
  address: string,
  token: Token,
): Promise<Amount | null> {
  const endpoint = endpointOf(api) ?? 'the connected node';
  try {
    const info = await bounded(contractsCallTx(api, dest, gasLimit, depositLimit, input).paymentInfo(address), {
      timeoutMs: DEFAULT_QUERY_TIMEOUT_MS,
      onTimeout: () => PublishError.unreachable(endpoint, `no fee estimate within ${duration(DEFAULT_QUERY_TIMEOUT_MS)}`),
    });
    const amount = info.partialFee.toBigInt();
    return { amount, text: formatAmount(amount, token) };
  } catch (err) {
    if (PublishError.is(err, 'UNREACHABLE')) throw err;
    if (!api.isConnected) throw PublishError.unreachable(endpoint, 'the connection dropped');
    return null;
  }
}

function describe(records: ReadonlyArray<readonly [string, string]>): string {
  const keys = records.map(([k]) => (k === NODE_ID_RECORD_KEY ? `this node id (${k})` : `this ${k}`));
  return keys.length === 1 ? keys[0]! : `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]!}`;
}

function summaryOf(
  name: string,
  records: ReadonlyArray<readonly [string, string]>,
  fee: Amount | null,
  deposit: { kind: string; text: string },
): string {
  const what =
    records.some(([k]) => k === NODE_ID_RECORD_KEY) && records.length === 1
      ? 'your node id'
      : `the record${records.length > 1 ? 's' : ''} ${records.map(([k]) => k).join(', ')}`;
  const parts = [`Publish ${what} in ${name}; its other records stay as they are.`];
  parts.push(fee ? `Network fee: about ${fee.text}.` : 'Network fee: your wallet will show it (the node could not estimate it).');
  if (deposit.kind === 'charge') parts.push(`Storage deposit: ${deposit.text}, held by the registry while the record exists.`);
  if (deposit.kind === 'refund') parts.push(`${deposit.text} of storage deposit comes back to you.`);
  return parts.join(' ');
}
