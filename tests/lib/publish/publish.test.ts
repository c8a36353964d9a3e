import { u8aToHex } from '@polkadot/util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REGISTRY, GENESIS_HASH } from '../../../lib/names/chains';
import { encodeNodeId } from '../../../lib/node-id';
import {
  type ChainHandle,
  NODE_ID_RECORD_KEY,
  PublishError,
  type RegistryRef,
  type SubmitStatus,
  checkDomain,
  confirmPublished,
  findRegistry,
  listDomains,
  openChain,
  planPublish,
  readBack,
  submitPublish,
} from '../../../lib/publish';
import { KeyringSigner, keyringPair } from '../../../testkit/keyring-signer';
import { DEPOSIT_PER_BYTE, type SimulatedChain, startSimulatedChain } from '../../../testkit/sim-chain';
import { closedPortUrl } from '../../../testkit/names';

// Publishing a node id into an AZERO.ID name, end to end against the SIMULATED contract
// chain (testkit/sim-chain): the real @polkadot/api, a real sr25519 key behind a wallet-style
// Signer, real signature checks, blocks and events. Not on-chain.

const NODE_ID = encodeNodeId(new Uint8Array(32).fill(0x42));
const OTHER_ID = encodeNodeId(Uint8Array.from({ length: 32 }, (_, i) => i * 3));
const AVATAR = 'https://example.com/bob.png';

let sim: SimulatedChain;
let chain: ChainHandle;
let registry: RegistryRef;
let owner: KeyringSigner; // owns bob and dora, controls carol
let stranger: KeyringSigner; // owns erin, nothing else

const hexOf = (s: KeyringSigner) => u8aToHex(s.pair.publicKey);

async function failure(p: Promise<unknown>): Promise<PublishError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PublishError) return err;
    throw err;
  }
  throw new Error('expected a PublishError');
}

beforeAll(async () => {
  owner = new KeyringSigner(await keyringPair('//Alice'));
  stranger = new KeyringSigner(await keyringPair('//Mallory', 'ed25519'));
  sim = await startSimulatedChain({
    names: {
      bob: { owner: hexOf(owner), records: { avatar: AVATAR } },
      carol: { owner: hexOf(stranger), controller: hexOf(owner) },
      dora: { owner: hexOf(owner), records: { [NODE_ID_RECORD_KEY]: NODE_ID } },
      erin: { owner: hexOf(stranger) },
      gone: { owner: hexOf(owner) },
    },
  });
  sim.expire('gone');
  chain = await openChain([sim.url], { connectTimeoutMs: 5000 });
  registry = await findRegistry(chain.api, 'azero');
}, 30_000);

afterAll(async () => {
  await chain?.close();
  await sim?.close();
});

afterEach(() => {
  sim.model.recordsSizeLimit = null;
});

describe('the chain behind the endpoint', () => {
  it('an endpoint serving another chain is refused (CHAIN, naming it) when a genesis hash is pinned', async () => {
    const other = `0x${'cd'.repeat(32)}`;
    const impostor = await startSimulatedChain({ genesisHash: other });
    try {
      const err = await openChain([impostor.url], { connectTimeoutMs: 5000, genesisHash: GENESIS_HASH.azero }).then(
        () => null,
        (e: unknown) => e as PublishError,
      );
      expect(err).toMatchObject({
        code: 'CHAIN',
        message: expect.stringContaining(
          `${impostor.url} serves a different chain (genesis hash ${other}, expected ${GENESIS_HASH.azero})`,
        ),
      });
      expect(impostor.stats.contractCalls).toBe(0);
      // The simulated Aleph Zero presents the pinned hash, and is accepted.
      const good = await openChain([sim.url], { connectTimeoutMs: 5000, genesisHash: GENESIS_HASH.azero });
      await good.close();
    } finally {
      await impostor.close();
    }
  });
});

describe('finding names', () => {
  it('asks the router for the registry', () => {
    expect(registry).toEqual({ address: DEFAULT_REGISTRY.azero, tld: 'azero', chain: 'azero', source: 'router' });
    expect(chain.endpoint).toBe(sim.url);
  });

  it('lists the names an account owns or controls, confirmed by get_owner / get_controller', async () => {
    const domains = await listDomains(chain.api, registry, owner.address);
    expect(domains.map((d) => [d.name, d.role])).toEqual([
      ['bob.azero', 'owner and controller'],
      ['carol.azero', 'controller'],
      ['dora.azero', 'owner and controller'],
    ]);
    expect(domains[1]!.owner).toBe(stranger.address);
    expect(await listDomains(chain.api, registry, (await keyringPair('//Nobody')).address)).toEqual([]);
  });

  it('checks a name typed by hand', async () => {
    expect(await checkDomain(chain.api, registry, owner.address, ' Bob.A0 ')).toMatchObject({
      name: 'bob.azero',
      role: 'owner and controller',
    });
    expect((await failure(checkDomain(chain.api, registry, owner.address, 'erin.azero'))).code).toBe('NOT_CONTROLLER');
    expect((await failure(checkDomain(chain.api, registry, owner.address, 'nobody.azero'))).code).toBe('NAME_NOT_FOUND');
    expect((await failure(checkDomain(chain.api, registry, owner.address, 'gone.azero'))).code).toBe('NAME_NOT_FOUND');
    expect((await failure(checkDomain(chain.api, registry, owner.address, 'bob.tzero'))).code).toBe('NAME_INVALID');
    expect((await failure(checkDomain(chain.api, registry, owner.address, 'bo b.azero'))).code).toBe('NAME_INVALID');
  });
});

describe('planning (dry run, nothing signed)', () => {
  it('shows the fee and the storage deposit', async () => {
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'bob.azero',
      records: [[NODE_ID_RECORD_KEY, NODE_ID]],
      registry,
    });
    expect(plan.upToDate).toBe(false);
    expect(plan.role).toBe('owner and controller');
    expect(plan.changes).toEqual([{ key: NODE_ID_RECORD_KEY, current: null, next: NODE_ID }]);
    expect(plan.fee?.amount).toBeGreaterThan(0n);
    expect(plan.fee?.text).toMatch(/^0\.\d+ AZERO$/);
    expect(plan.token).toEqual({ symbol: 'AZERO', decimals: 12 });
    // The records grow by the new (key, value) pair: 1 + 11 + 1 + 52 bytes.
    expect(plan.storageDeposit).toMatchObject({ kind: 'charge', amount: 65n * DEPOSIT_PER_BYTE });
    expect(plan.storageDepositLimit).toBeGreaterThanOrEqual(plan.storageDeposit.amount);
    expect(plan.gasLimit.refTime).toBeGreaterThan(plan.gasRequired.refTime);
    // update_records("bob", [("copybara-id", Some(id))], remove_rest = false): never removes.
    expect(plan.input.startsWith('0xde84a1ba0c626f6204')).toBe(true);
    expect(plan.input.endsWith('00')).toBe(true);
    expect(plan.summary).toMatch(
      /Publish your node id in bob\.azero; its other records stay as they are\. Network fee: about 0\.\d+ AZERO\. Storage deposit: 0\.0195 AZERO/,
    );
    expect(owner.called).toBe(0);
  });

  it('works for the resolver-facing alias and without a registry given', async () => {
    const plan = await planPublish(chain.api, { address: owner.address, name: 'carol.a0', records: [[NODE_ID_RECORD_KEY, NODE_ID]] });
    expect(plan).toMatchObject({ name: 'carol.azero', role: 'controller', registry: { source: 'router' } });
  });

  it('says when there is nothing to publish', async () => {
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'dora.azero',
      records: [[NODE_ID_RECORD_KEY, NODE_ID]],
      registry,
    });
    expect(plan).toMatchObject({ upToDate: true, records: [], fee: null });
    expect(plan.summary).toBe(`dora.azero already holds this node id (${NODE_ID_RECORD_KEY}): nothing to publish.`);
    expect((await failure(submitPublish(chain.api, plan, owner))).code).toBe('NOTHING_TO_PUBLISH');
    expect(owner.called).toBe(0);
  });

  it.each([
    ['a non-controller', 'erin.azero', 'NOT_CONTROLLER', /neither the owner nor the controller of erin\.azero/],
    ['an unknown name', 'nobody.azero', 'NAME_NOT_FOUND', /nobody\.azero is not registered/],
    ['an expired name', 'gone.azero', 'NAME_NOT_FOUND', /gone\.azero is not registered, or its registration has expired/],
  ])('refuses %s before anything is signed', async (_what, name, code, words) => {
    const e = await failure(planPublish(chain.api, { address: owner.address, name, records: [[NODE_ID_RECORD_KEY, NODE_ID]], registry }));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(words);
    expect(owner.called).toBe(0);
  });

  it('refuses records beyond the registry size limit (RecordsOverflow) before anything is signed', async () => {
    sim.model.recordsSizeLimit = 60; // bob's avatar fits, avatar + node id does not
    const e = await failure(
      planPublish(chain.api, { address: owner.address, name: 'bob.azero', records: [[NODE_ID_RECORD_KEY, NODE_ID]], registry }),
    );
    expect(e.code).toBe('RECORDS_OVERFLOW');
    expect(e.message).toMatch(/bob\.azero already holds as many records as the registry allows/);
    expect(owner.called).toBe(0);
  });

  it('refuses a value that is not a node id', async () => {
    for (const bad of ['hello', ` ${NODE_ID}`, NODE_ID.toUpperCase()]) {
      const e = await failure(
        planPublish(chain.api, { address: owner.address, name: 'bob.azero', records: [[NODE_ID_RECORD_KEY, bad]], registry }),
      );
      expect(e.code).toBe('BAD_RECORD');
    }
  });
});

describe('publishing with the wallet', () => {
  it('signs, is included, and reads back the node id with the other records untouched', async () => {
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'bob.azero',
      records: [[NODE_ID_RECORD_KEY, NODE_ID]],
      registry,
    });
    const before = sim.freeBalance(owner.address);
    const statuses: SubmitStatus[] = [];
    const res = await submitPublish(chain.api, plan, owner, (s) => statuses.push(s), { inclusionTimeoutMs: 10_000 });
    expect(owner.calls.signPayload).toBe(1);
    expect(res.eventsChecked).toBe(true);
    expect(res.blockNumber).toBeGreaterThan(0);
    expect(statuses.map((s) => s.text).slice(0, 3)).toEqual([
      'Waiting for your wallet to sign…',
      'Sent; waiting to be included in a block…',
      `Included in block #${res.blockNumber}`,
    ]);

    await confirmPublished(chain.api, plan, { attempts: 1 });
    expect(await readBack(chain.api, registry, 'bob.azero', NODE_ID_RECORD_KEY)).toBe(NODE_ID);
    expect(await readBack(chain.api, registry, 'bob.azero', 'avatar')).toBe(AVATAR);
    expect(await readBack(chain.api, registry, 'bob.azero', 'staex-id')).toBeNull();
    expect(sim.model.getAllRecords('bob')).toEqual([
      ['avatar', AVATAR],
      [NODE_ID_RECORD_KEY, NODE_ID],
    ]);
    // Paid: the fee and the deposit, no more than the plan said.
    const spent = before - sim.freeBalance(owner.address);
    expect(spent).toBeGreaterThan(0n);
    expect(spent).toBeLessThanOrEqual(plan.fee!.amount + plan.storageDeposit.amount);

    // Finality is reported afterwards.
    await expect.poll(() => statuses.map((s) => s.stage), { timeout: 5000 }).toContain('finalised');
    // And the name is now up to date.
    expect(
      (await planPublish(chain.api, { address: owner.address, name: 'bob.azero', records: [[NODE_ID_RECORD_KEY, NODE_ID]], registry }))
        .upToDate,
    ).toBe(true);
  });

  it('a controller (not the owner) can publish too, replacing an older id (refund of nothing, same size)', async () => {
    sim.setRecord('carol', NODE_ID_RECORD_KEY, OTHER_ID);
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'carol.azero',
      records: [[NODE_ID_RECORD_KEY, NODE_ID]],
      registry,
    });
    expect(plan.changes).toEqual([{ key: NODE_ID_RECORD_KEY, current: OTHER_ID, next: NODE_ID }]);
    expect(plan.storageDeposit.kind).toBe('none');
    await submitPublish(chain.api, plan, owner, undefined, { inclusionTimeoutMs: 10_000 });
    await confirmPublished(chain.api, plan, { attempts: 1 });
  });

  it('a wallet that refuses to sign gives REJECTED, and nothing is sent', async () => {
    const refusing = new KeyringSigner(owner.pair, { kind: 'reject', message: 'Rejected by user' });
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'dora.azero',
      records: [[NODE_ID_RECORD_KEY, OTHER_ID]],
      registry,
    });
    const submitted = sim.stats.submitted;
    const e = await failure(submitPublish(chain.api, plan, refusing));
    expect(e.code).toBe('REJECTED');
    expect(e.message).toBe('You did not sign the transaction in your wallet, so nothing was sent.');
    expect(refusing.called).toBe(1);
    expect(sim.stats.submitted).toBe(submitted);
    expect(await readBack(chain.api, registry, 'dora.azero', NODE_ID_RECORD_KEY)).toBe(NODE_ID);
  });

  it('a wallet that never answers is given up on (REJECTED), and nothing is sent', async () => {
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'dora.azero',
      records: [[NODE_ID_RECORD_KEY, OTHER_ID]],
      registry,
    });
    const submitted = sim.stats.submitted;
    const silent = { signPayload: () => new Promise<never>(() => undefined) };
    const e = await failure(submitPublish(chain.api, plan, silent, undefined, { signTimeoutMs: 300 }));
    expect(e.code).toBe('REJECTED');
    expect(e.message).toMatch(/did not sign within 300 ms\. Nothing was sent/);
    expect(sim.stats.submitted).toBe(submitted);
  });

  it('a signature by the wrong key is refused by the node (INVALID)', async () => {
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'dora.azero',
      records: [[NODE_ID_RECORD_KEY, OTHER_ID]],
      registry,
    });
    const impostor = new KeyringSigner(await keyringPair('//Alice', 'ed25519'));
    const e = await failure(submitPublish(chain.api, plan, impostor));
    expect(e.code).toBe('INVALID');
    expect(e.message).toMatch(/signature/);
  });

  it('a change that the registry refuses once in the block is FAILED, in words', async () => {
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'dora.azero',
      records: [[NODE_ID_RECORD_KEY, OTHER_ID]],
      registry,
    });
    // Between the plan and the block, dora changes hands.
    sim.model.names.get('dora')!.owner = hexOf(stranger);
    sim.model.names.get('dora')!.controller = hexOf(stranger);
    try {
      const e = await failure(submitPublish(chain.api, plan, owner, undefined, { inclusionTimeoutMs: 10_000 }));
      expect(e.code).toBe('FAILED');
      expect(e.message).toMatch(/the registry refused the change \(contracts\.ContractReverted\)/);
      expect(sim.model.getRecord('dora', NODE_ID_RECORD_KEY)).toEqual({ ok: NODE_ID });
    } finally {
      sim.model.names.get('dora')!.owner = hexOf(owner);
      sim.model.names.get('dora')!.controller = hexOf(owner);
    }
  });

  it('a read-back that differs is MISMATCH', async () => {
    const plan = await planPublish(chain.api, {
      address: owner.address,
      name: 'dora.azero',
      records: [[NODE_ID_RECORD_KEY, OTHER_ID]],
      registry,
    });
    const e = await failure(confirmPublished(chain.api, plan, { attempts: 2, intervalMs: 10 }));
    expect(e.code).toBe('MISMATCH');
    expect(e.message).toMatch(/dora\.azero now holds ".+" as copybara-id instead of/);
  });
});

describe('when the chain cannot be reached', () => {
  it('an unreachable endpoint gives UNREACHABLE naming it', async () => {
    const url = await closedPortUrl();
    const e = await failure(openChain([url], { connectTimeoutMs: 2000 }));
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toContain(url);
    expect(e.message).toMatch(/connection refused/);
  });

  it('falls through to the next endpoint, and names them all when none answers', async () => {
    const dead = await closedPortUrl();
    const second = await openChain([dead, sim.url], { connectTimeoutMs: 2000 });
    expect(second.endpoint).toBe(sim.url);
    await second.close();
    const dead2 = await closedPortUrl();
    const e = await failure(openChain([dead, dead2], { connectTimeoutMs: 2000 }));
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toContain(dead);
    expect(e.message).toContain(dead2);
  });

  it('a connection that drops makes the next step UNREACHABLE naming the endpoint', async () => {
    const c = await openChain([sim.url], { connectTimeoutMs: 2000 });
    await c.close();
    const e = await failure(listDomains(c.api, registry, owner.address));
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toContain(sim.url);
  });
});

describe('when no block comes', () => {
  let slow: SimulatedChain;
  let c: ChainHandle;
  beforeAll(async () => {
    slow = await startSimulatedChain({ names: { bob: { owner: hexOf(owner) }, erin: { owner: hexOf(stranger) } }, blockDelayMs: 60_000 });
    c = await openChain([slow.url], { connectTimeoutMs: 5000 });
  });
  afterAll(async () => {
    await c?.close();
    await slow?.close();
  });

  it('the wait for inclusion is bounded (TIMEOUT, in words)', async () => {
    const plan = await planPublish(c.api, { address: owner.address, name: 'bob.azero', records: [[NODE_ID_RECORD_KEY, NODE_ID]] });
    const statuses: string[] = [];
    const t = performance.now();
    const e = await failure(submitPublish(c.api, plan, owner, (s) => statuses.push(s.stage), { inclusionTimeoutMs: 700 }));
    expect(e.code).toBe('TIMEOUT');
    expect(e.message).toMatch(/No block included the transaction within 700 ms\. It may still be included later: check bob\.azero/);
    expect(performance.now() - t).toBeLessThan(5000);
    expect(statuses).toEqual(['signing', 'sent']);
  });

  it('a connection lost after sending says the outcome is unknown', async () => {
    const c2 = await openChain([slow.url], { connectTimeoutMs: 5000 });
    // Another account: the first test's transaction still holds owner's next nonce.
    const plan = await planPublish(c2.api, { address: stranger.address, name: 'erin.azero', records: [[NODE_ID_RECORD_KEY, OTHER_ID]] });
    const p = submitPublish(c2.api, plan, stranger, (s) => {
      if (s.stage === 'sent') slow.dropConnections();
    });
    const e = await failure(p);
    expect(e.code).toBe('UNREACHABLE');
    expect(e.message).toMatch(/dropped after the transaction was sent.*may still be included/);
    await c2.close();
  });
});
