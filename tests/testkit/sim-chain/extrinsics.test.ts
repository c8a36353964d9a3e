import { ApiPromise, WsProvider } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { EventRecord } from '@polkadot/types/interfaces';
import type { ISubmittableResult, Signer, SignerPayloadJSON } from '@polkadot/types/types';
import { compactAddLength, hexToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGetRecord, encodeGetRecord } from '../../../lib/names/registry-codec';
import { DEPOSIT_PER_BYTE, INITIAL_FREE, type SimulatedChain, startSimulatedChain } from '../../../testkit/sim-chain';
import { encodedSize } from '../../../testkit/sim-chain/registry-model';
import { BOB_ID, NEW_ID } from '../../../testkit/names';

// Transactions on the SIMULATED contract chain, through the real @polkadot/api and a real
// sr25519 key: what a publishing feature does (dry run, fee estimate, sign, submit, watch,
// read the events, read the record back) must work against it as against a contracts node.

let sim: SimulatedChain;
let api: ApiPromise;
let provider: WsProvider;
let owner: KeyringPair; // owns bob
let stranger: KeyringPair; // owns nothing
const GAS = { refTime: 5_000_000_000, proofSize: 200_000 };

const str = (s: string) => compactAddLength(stringToU8a(s));
function updateRecords(name: string, records: Array<[string, string | null]>, removeRest = false): Uint8Array {
  const bytes = (v: string) => api.registry.createType('Bytes', str(v));
  const vec = api.registry.createType(
    'Vec<(Bytes, Option<Bytes>)>',
    records.map(([k, v]) => [bytes(k), v === null ? null : bytes(v)]),
  );
  return u8aConcat(hexToU8a('0xde84a1ba'), str(name), vec.toU8a(), new Uint8Array([removeRest ? 1 : 0]));
}

async function dryRun(input: Uint8Array, origin = owner.address) {
  return (api.call as any).contractsApi.call(origin, sim.registryAddress, 0, null, null, u8aToHex(input));
}

async function getRecord(name: string, key: string) {
  const res = await dryRun(encodeGetRecord(name, key));
  return decodeGetRecord({ flags: res.result.asOk.flags.isRevert ? 1 : 0, data: res.result.asOk.data.toU8a(true) });
}

const txFor = (input: Uint8Array): SubmittableExtrinsic<'promise'> =>
  api.tx.contracts!.call!(sim.registryAddress, 0, GAS, null, u8aToHex(input));

// A wallet as an extension injects it: signs the JSON payload it is handed.
function walletSigner(pair: KeyringPair): Signer {
  return {
    async signPayload(payload: SignerPayloadJSON) {
      const p = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version });
      return { id: 1, signature: p.sign(pair).signature };
    },
  };
}

// Sends and collects every status until finalized (or a failure of the send itself).
function sendAll(tx: SubmittableExtrinsic<'promise'>, account: KeyringPair | string, signer?: Signer) {
  return new Promise<ISubmittableResult[]>((resolve, reject) => {
    const seen: ISubmittableResult[] = [];
    const options = signer ? { signer } : {};
    tx.signAndSend(account, options, (r) => {
      seen.push(r);
      if (r.status.isFinalized || r.status.isInvalid || r.status.isDropped) resolve(seen);
    }).catch(reject);
  });
}

const names = (results: ISubmittableResult[]) => results.map((r) => r.status.type);
const eventNames = (r: ISubmittableResult) => r.events.map(({ event }) => `${event.section}.${event.method}`);

beforeAll(async () => {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  owner = keyring.addFromUri('//Alice');
  stranger = keyring.addFromUri('//Mallory');
  sim = await startSimulatedChain({
    names: {
      bob: { owner: u8aToHex(owner.publicKey), records: { 'copybara-id': BOB_ID } },
      carol: { owner: u8aToHex(owner.publicKey), controller: u8aToHex(stranger.publicKey) },
    },
  });
  provider = new WsProvider(sim.url, false);
  await provider.connect();
  api = await ApiPromise.create({ provider, initWasm: false, noInitWarn: true, throwOnConnect: true });
}, 20_000);
afterAll(async () => {
  await api?.disconnect();
  await sim?.close();
});

describe('transactions on the simulated registry', () => {
  it('a dry run charges a storage deposit for growing records and refunds for shrinking ones', async () => {
    const grow = await dryRun(updateRecords('bob', [['staex-id', BOB_ID]]));
    expect(grow.result.isOk).toBe(true);
    const growth =
      encodedSize([
        ['copybara-id', BOB_ID],
        ['staex-id', BOB_ID],
      ]) - encodedSize([['copybara-id', BOB_ID]]);
    expect(grow.storageDeposit.isCharge).toBe(true);
    expect(grow.storageDeposit.asCharge.toBigInt()).toBe(BigInt(growth) * DEPOSIT_PER_BYTE);
    expect(grow.gasRequired.refTime.toBigInt()).toBeGreaterThan(0n);

    const shrink = await dryRun(updateRecords('bob', [['copybara-id', null]]));
    expect(shrink.storageDeposit.isRefund).toBe(true);
    expect(shrink.storageDeposit.asRefund.toBigInt()).toBe(BigInt(encodedSize([['copybara-id', BOB_ID]]) - 1) * DEPOSIT_PER_BYTE);

    const same = await dryRun(updateRecords('bob', [['copybara-id', BOB_ID]]));
    expect(same.storageDeposit.toJSON()).toEqual({ charge: 0 });
    const refused = await dryRun(updateRecords('bob', [['staex-id', BOB_ID]]), stranger.address);
    expect(refused.result.asOk.flags.isRevert).toBe(true);
    expect(refused.storageDeposit.toJSON()).toEqual({ charge: 0 });
  });

  it('estimates a fee of the right order (≈0.0015 AZERO)', async () => {
    const info = await txFor(updateRecords('bob', [['copybara-id', NEW_ID]])).paymentInfo(owner.address);
    expect(info.class.isNormal).toBe(true);
    const fee = info.partialFee.toBigInt();
    expect(fee).toBeGreaterThan(10n ** 9n); // > 0.001 AZERO
    expect(fee).toBeLessThan(10n ** 10n); // < 0.01 AZERO
    expect(info.weight.refTime.toBigInt()).toBeGreaterThanOrEqual(BigInt(GAS.refTime));
  });

  it('tx.dryRun (system_dryRun) tells success from a revert, storing nothing', async () => {
    const ok = await txFor(updateRecords('bob', [['copybara-id', NEW_ID]])).dryRun(owner);
    expect(ok.isOk && ok.asOk.isOk).toBe(true);
    const refused = await txFor(updateRecords('bob', [['copybara-id', NEW_ID]])).dryRun(stranger);
    expect(refused.asOk.isErr).toBe(true);
    expect(api.registry.findMetaError(refused.asOk.asErr.asModule).name).toBe('ContractReverted');
    expect(await getRecord('bob', 'copybara-id')).toEqual({ kind: 'ok', value: BOB_ID });
    const future = await txFor(updateRecords('bob', [])).dryRun(owner, { nonce: 7 });
    expect(future.isErr && future.asErr.isInvalid && future.asErr.asInvalid.isFuture).toBe(true);
    expect(sim.nonce(owner.address)).toBe(0);
  });

  it('a wallet-signed update_records goes ready → inBlock → finalized, succeeds, and is readable after', async () => {
    const before = sim.blockNumber();
    const nonce = (await api.rpc.system.accountNextIndex(owner.address)).toNumber();
    const results = await sendAll(txFor(updateRecords('bob', [['copybara-id', NEW_ID]])), owner.address, walletSigner(owner));
    expect(names(results)).toEqual(['Ready', 'InBlock', 'Finalized']);
    const inBlock = results[1]!;
    expect(inBlock.dispatchError).toBeUndefined();
    expect(eventNames(inBlock)).toContain('system.ExtrinsicSuccess');
    expect(eventNames(inBlock)).toContain('contracts.Called');
    expect(inBlock.txIndex).toBe(1); // after the timestamp inherent
    expect(results[2]!.status.asFinalized.toHex()).toBe(inBlock.status.asInBlock.toHex());
    expect(sim.blockNumber()).toBe(before + 1);
    expect(sim.finalizedNumber()).toBe(before + 1);
    expect(await getRecord('bob', 'copybara-id')).toEqual({ kind: 'ok', value: NEW_ID });
    expect((await api.rpc.system.accountNextIndex(owner.address)).toNumber()).toBe(nonce + 1);
    expect(sim.nonce(owner.address)).toBe(nonce + 1);
    expect(sim.freeBalance(owner.address)).toBeLessThan(INITIAL_FREE);
    expect(sim.stats.extrinsics).toBe(1);
  });

  it('the block, its header and its events can be read back at its hash', async () => {
    const hash = await api.rpc.chain.getBlockHash(sim.blockNumber());
    const block = await api.rpc.chain.getBlock(hash);
    expect(block.block.header.hash.toHex()).toBe(hash.toHex());
    expect(block.block.extrinsics.map((x) => `${x.method.section}.${x.method.method}`)).toEqual(['timestamp.set', 'contracts.call']);
    expect(block.block.extrinsics[1]!.signer.toString()).toBe(owner.address);
    const events = (await (await api.at(hash)).query.system!.events!()) as unknown as EventRecord[];
    const phases = events.map((e) => (e.phase.isApplyExtrinsic ? e.phase.asApplyExtrinsic.toNumber() : -1));
    expect(phases[0]).toBe(0);
    expect(
      events
        .filter((e, i) => phases[i] === 1)
        .map((e) => e.event.method)
        .pop(),
    ).toBe('ExtrinsicSuccess');
    expect((await api.rpc.chain.getHeader(hash)).number.toNumber()).toBe(sim.blockNumber());
  });

  it('a keyring pair can sign too, and a second transaction takes the next nonce', async () => {
    const nonce = sim.nonce(owner.address);
    const results = await sendAll(txFor(updateRecords('bob', [['staex-id', BOB_ID]])), owner);
    expect(results.at(-1)!.status.isFinalized).toBe(true);
    expect(eventNames(results.at(-1)!)).toEqual(
      expect.arrayContaining(['system.ExtrinsicSuccess', 'contracts.StorageDepositTransferredAndHeld']),
    );
    expect(sim.nonce(owner.address)).toBe(nonce + 1);
    expect(await getRecord('bob', 'staex-id')).toEqual({ kind: 'ok', value: BOB_ID });
  });

  it("a stranger's update_records is included but fails with Contracts.ContractReverted, changing nothing", async () => {
    const before = sim.model.getAllRecords('bob');
    const results = await sendAll(txFor(updateRecords('bob', [['copybara-id', BOB_ID]])), stranger);
    const last = results.at(-1)!;
    expect(last.status.isFinalized).toBe(true);
    expect(eventNames(last)).toContain('system.ExtrinsicFailed');
    expect(last.dispatchError?.isModule).toBe(true);
    const meta = api.registry.findMetaError(last.dispatchError!.asModule);
    expect(`${meta.section}.${meta.name}`).toBe('contracts.ContractReverted');
    expect(sim.model.getAllRecords('bob')).toEqual(before);
    expect(sim.nonce(stranger.address)).toBe(1); // the fee and nonce are spent all the same
  });

  it('a controller that is not the owner may update', async () => {
    const results = await sendAll(txFor(updateRecords('carol', [['copybara-id', BOB_ID]])), stranger);
    expect(results.at(-1)!.dispatchError).toBeUndefined();
    expect(await getRecord('carol', 'copybara-id')).toEqual({ kind: 'ok', value: BOB_ID });
  });

  it('refuses a tampered signature with 1010, and a replayed transaction as outdated', async () => {
    const tx = await txFor(updateRecords('bob', [['copybara-id', BOB_ID]])).signAsync(owner);
    const bytes = tx.toU8a();
    const sigOffset = u8aToHex(bytes).indexOf(u8aToHex(tx.signature).slice(2)) / 2 - 1;
    expect(sigOffset).toBeGreaterThan(0);
    const tampered = bytes.slice();
    tampered[sigOffset + 5]! ^= 0x01; // one bit of the sr25519 signature
    await expect(api.rpc.author.submitExtrinsic(u8aToHex(tampered))).rejects.toThrow(
      /1010: Invalid Transaction: Transaction has a bad signature/,
    );

    const block = sim.blockNumber();
    await api.rpc.author.submitExtrinsic(tx.toHex());
    await until(() => sim.finalizedNumber() > block);
    await expect(api.rpc.author.submitExtrinsic(tx.toHex())).rejects.toThrow(/1010: Invalid Transaction: Transaction is outdated/);
  });

  it('holds a transaction with a future nonce until the gap closes', async () => {
    const nonce = sim.nonce(owner.address);
    const statuses: string[] = [];
    const futureTx = await txFor(updateRecords('bob', [['later', 'x']])).signAsync(owner, { nonce: nonce + 1 });
    const done = new Promise<void>((resolve) => {
      void futureTx.send((r) => {
        statuses.push(r.status.type);
        if (r.status.isFinalized) resolve();
      });
    });
    await until(() => statuses.includes('Future'));
    expect(sim.nonce(owner.address)).toBe(nonce);
    await sendAll(txFor(updateRecords('bob', [['first', 'y']])), owner);
    await done;
    expect(statuses).toEqual(['Future', 'Ready', 'InBlock', 'Finalized']);
    expect(await getRecord('bob', 'later')).toEqual({ kind: 'ok', value: 'x' });
  });

  it('signs a payload over 256 bytes through its blake2 hash, as substrate does', async () => {
    const long = 'v'.repeat(400);
    const tx = txFor(updateRecords('bob', [['avatar', long]]));
    expect(tx.method.toU8a().length).toBeGreaterThan(256);
    const results = await sendAll(tx, owner.address, walletSigner(owner));
    expect(results.at(-1)!.dispatchError).toBeUndefined();
    expect(await getRecord('bob', 'avatar')).toEqual({ kind: 'ok', value: long });
  });

  it('takes ed25519 keys too, and a system.remark, which changes nothing', async () => {
    const ed = new Keyring({ type: 'ed25519', ss58Format: 42 }).addFromUri('//Eve');
    const results = await sendAll(api.tx.system!.remark!('0x1234'), ed);
    expect(eventNames(results.at(-1)!)).toContain('system.ExtrinsicSuccess');
    expect(sim.nonce(ed.address)).toBe(1);
  });

  it('pushes new heads and changed account storage to subscribers', async () => {
    const heads: number[] = [];
    const finalized: number[] = [];
    const nonces: number[] = [];
    const unsubs = await Promise.all([
      api.rpc.chain.subscribeNewHeads((h) => void heads.push(h.number.toNumber())),
      api.rpc.chain.subscribeFinalizedHeads((h) => void finalized.push(h.number.toNumber())),
      api.query.system!.account!(owner.address, (info: any) => void nonces.push(info.nonce.toNumber())),
    ]);
    await until(() => heads.length > 0 && finalized.length > 0 && nonces.length > 0);
    const start = sim.blockNumber();
    await sendAll(txFor(updateRecords('bob', [['avatar', null]])), owner);
    await until(() => finalized.includes(start + 1));
    expect(heads).toEqual([start, start + 1]);
    expect(nonces.at(-1)).toBe(nonces[0]! + 1);
    for (const u of unsubs) (u as () => void)();
  });

  it('contract faults hold for transactions: a trap is ExtrinsicFailed with Contracts.ContractTrapped', async () => {
    sim.setFault({ trap: true });
    try {
      const results = await sendAll(txFor(updateRecords('bob', [['copybara-id', BOB_ID]])), owner);
      const meta = api.registry.findMetaError(results.at(-1)!.dispatchError!.asModule);
      expect(meta.name).toBe('ContractTrapped');
    } finally {
      sim.clearFaults();
    }
  });

  it('refuses what it cannot decode (1001) and unsigned calls (1011)', async () => {
    // Past polkadot.js's own encoding, which would refuse the bytes before sending them.
    await expect(provider.send('author_submitExtrinsic', ['0x0c8400ff'])).rejects.toThrow(/1001: Extrinsic has invalid format/);
    const unsigned = txFor(updateRecords('bob', [['copybara-id', BOB_ID]]));
    await expect(api.rpc.author.submitExtrinsic(unsigned.toHex())).rejects.toThrow(/1011: Unknown Transaction Validity/);
  });

  it('lists the names an address owns and controls (Vec<String> in Result<_, LangError>)', async () => {
    const list = async (selector: string, who: KeyringPair) => {
      const res = await dryRun(u8aConcat(hexToU8a(selector), who.publicKey));
      expect(res.result.asOk.flags.isRevert).toBe(false);
      const out = api.registry.createType<any>('Result<Vec<Text>, u8>', res.result.asOk.data.toU8a(true));
      return out.asOk.map((t: { toString(): string }) => t.toString());
    };
    expect(await list('0xe413b13a', owner)).toEqual(['bob', 'carol']);
    expect(await list('0x9f25301e', owner)).toEqual(['bob']);
    expect(await list('0x9f25301e', stranger)).toEqual(['carol']);
    sim.expire('carol');
    expect(await list('0xe413b13a', owner)).toEqual(['bob']);
    expect(await list('0x9f25301e', stranger)).toEqual([]);
  });
});

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
