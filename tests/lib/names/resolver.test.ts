import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from '../../../lib/names/chains';
import { MemoryResolutionCache } from '../../../lib/names/memory-cache';
import { type SimulatedChain, startSimulatedChain } from '../../../testkit/sim-chain';
import { BOB_ID, BOB_STAEX, NEW_ID, closeResolvers, closedPortUrl, failure, resolverFor, sleep } from '../../../testkit/names';

// The real @polkadot/api, over a real WebSocket, against the SIMULATED contract chain
// (testkit/sim-chain): a stateful model of the AZERO.ID registry, not the real chain.

let sim: SimulatedChain;

beforeAll(async () => {
  sim = await startSimulatedChain({
    names: {
      bob: { records: { 'copybara-id': BOB_ID, 'staex-id': BOB_STAEX, avatar: 'https://example.invalid/bob.png' } },
      carol: { records: { twitter: '@carol' } },
      dave: { records: { 'copybara-id': 'not a node id' } },
      erin: { records: { 'copybara-id': `0x${'ab'.repeat(32)}` } },
      frank: { records: { 'copybara-id': BOB_ID } },
      gone: { records: { 'copybara-id': BOB_ID }, expiresAt: Date.now() - 1000 },
      staexonly: { records: { 'staex-id': BOB_STAEX } },
    },
  });
});
afterEach(closeResolvers);
afterAll(async () => {
  await sim?.close();
});

describe('resolving over the simulated contract', () => {
  it('resolves bob.azero (and bob.a0, Bob.AZERO) to its node ids', async () => {
    const r = resolverFor([sim.url]);
    const before = Date.now();
    const res = await r.resolve('bob.azero');
    expect(res).toMatchObject({
      name: { label: 'bob', full: 'bob.azero', chain: 'azero' },
      records: { nodeId: BOB_ID, staexId: BOB_STAEX },
      fromCache: false,
      source: 'chain',
    });
    expect(res.verifiedAt).toBeGreaterThanOrEqual(before);
    expect((await r.resolve(' Bob.A0 ')).records.nodeId).toBe(BOB_ID);
  });

  it('a name with only a Staex id resolves with nodeId null', async () => {
    expect((await resolverFor([sim.url]).resolve('staexonly.azero')).records).toEqual({ nodeId: null, staexId: BOB_STAEX });
  });

  it('says NAME_NOT_REGISTERED for unknown and expired names', async () => {
    const r = resolverFor([sim.url]);
    expect(await failure(r.resolve('nobody.azero'))).toMatchObject({
      code: 'NAME_NOT_REGISTERED',
      message: 'nobody.azero is not registered (or has expired)',
    });
    expect(await failure(r.resolve('gone.azero'))).toMatchObject({
      code: 'NAME_NOT_REGISTERED',
      message: 'gone.azero is not registered (or has expired)',
    });
  });

  it('a name that expires after being resolved stops resolving (no stale answer)', async () => {
    sim.register('ephemeral', { records: { 'copybara-id': BOB_ID } });
    const r = resolverFor([sim.url], { ttlMs: 0 });
    expect((await r.resolve('ephemeral.azero')).records.nodeId).toBe(BOB_ID);
    sim.expire('ephemeral');
    expect((await failure(r.resolve('ephemeral.azero'))).code).toBe('NAME_NOT_REGISTERED');
    // The chain's "no" replaced the cached "yes": with the chain gone, nothing is dialled.
    await sim.down();
    try {
      const e = await failure(r.resolve('ephemeral.azero'));
      expect(e.code).toBe('CHAIN_UNREACHABLE');
    } finally {
      await sim.up();
    }
  });

  it('says NO_NODE_ID for a registered name without our records', async () => {
    expect(await failure(resolverFor([sim.url]).resolve('carol.azero'))).toMatchObject({
      code: 'NO_NODE_ID',
      message: 'carol.azero is registered but has no node id (no copybara-id or staex-id record)',
    });
  });

  it('says RECORD_MALFORMED for a record that is not a node id, including 0x values', async () => {
    const r = resolverFor([sim.url]);
    expect(await failure(r.resolve('dave.azero'))).toMatchObject({
      code: 'RECORD_MALFORMED',
      message: expect.stringMatching(/^the copybara-id record of dave\.azero is not a node id/),
    });
    expect(await failure(r.resolve('erin.azero'))).toMatchObject({
      code: 'RECORD_MALFORMED',
      message: expect.stringMatching(/it is hex \(0x…\)/),
    });
  });

  it('a record of megabytes is refused as malformed, not as a chain failure', async () => {
    sim.register('huge', { records: { 'copybara-id': `${BOB_ID}${' '.repeat(2 * 1024 * 1024)}` } });
    expect(await failure(resolverFor([sim.url]).resolve('huge.azero'))).toMatchObject({
      code: 'RECORD_MALFORMED',
      message: expect.stringMatching(/2097204 characters long/),
    });
  });

  it('sees a changed record once the TTL has passed', async () => {
    let now = Date.now();
    const r = resolverFor([sim.url], { ttlMs: 60_000, now: () => now });
    expect((await r.resolve('frank.azero')).records.nodeId).toBe(BOB_ID);
    sim.setRecord('frank', 'copybara-id', NEW_ID);
    expect((await r.resolve('frank.azero')).records.nodeId).toBe(BOB_ID); // still fresh
    now += 60_001;
    expect((await r.resolve('frank.azero')).records.nodeId).toBe(NEW_ID);
  });

  it('finds the registry through the router when asked to', async () => {
    const router = { router: sim.routerAddress };
    // One simulated Aleph Zero serves both chains' endpoints here, so .tzero must accept its genesis.
    const r = resolverFor([sim.url], { registries: { azero: router, tzero: router }, genesisHashes: { tzero: GENESIS_HASH.azero } });
    expect((await r.resolve('bob.a0')).records.nodeId).toBe(BOB_ID);
    // The simulated router knows no .tzero registry.
    expect(await failure(r.resolve('bob.tzero'))).toMatchObject({
      code: 'CHAIN_ERROR',
      message: expect.stringMatching(/knows no registry for \.tzero/),
    });
  });

  it('a registry address with no contract behind it is a CHAIN_ERROR', async () => {
    const r = resolverFor([sim.url], { registries: { azero: '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY' } });
    expect(await failure(r.resolve('bob.azero'))).toMatchObject({
      code: 'CHAIN_ERROR',
      message: expect.stringMatching(/ContractNotFound/),
    });
  });
});

describe('the cache', () => {
  it('answers a fresh entry without the network, in well under a millisecond', async () => {
    const cache = new MemoryResolutionCache();
    await resolverFor([sim.url], { cache }).resolve('bob.azero');
    const calls = sim.stats.contractCalls;
    // Same cache, endpoint that is not even there: the answer needs no chain.
    const offline = resolverFor([await closedPortUrl()], { cache });
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      const res = await offline.resolve('bob.azero');
      times.push(performance.now() - t);
      expect(res).toMatchObject({ fromCache: false, source: 'cache', records: { nodeId: BOB_ID } });
    }
    times.sort((a, b) => a - b);
    expect(times[100]!).toBeLessThan(1);
    expect(sim.stats.contractCalls).toBe(calls);
  });

  it('falls back to the last verified answer when the chain is unreachable, saying so', async () => {
    const r = resolverFor([sim.url], { ttlMs: 0 });
    const first = await r.resolve('bob.azero');
    await sim.down();
    try {
      const res = await r.resolve('bob.azero');
      expect(res).toMatchObject({ fromCache: true, source: 'stale-cache', verifiedAt: first.verifiedAt, records: first.records });
      expect(res.staleReason).toMatch(new RegExp(`could not be reached at ${sim.url}`));
    } finally {
      await sim.up();
    }
    expect((await r.resolve('bob.azero')).source).toBe('chain');
  });

  it('does not offer a cached answer older than maxStaleMs', async () => {
    let now = Date.now();
    const r = resolverFor([sim.url], { ttlMs: 0, maxStaleMs: 3_600_000, now: () => now });
    await r.resolve('bob.azero');
    await sim.down();
    try {
      expect((await r.resolve('bob.azero')).fromCache).toBe(true);
      now += 3_600_001;
      expect((await failure(r.resolve('bob.azero'))).code).toBe('CHAIN_UNREACHABLE');
    } finally {
      await sim.up();
    }
  });

  it('without a cached answer, an unreachable chain is CHAIN_UNREACHABLE', async () => {
    await sim.down();
    try {
      const e = await failure(resolverFor([sim.url]).resolve('bob.azero'));
      expect(e).toMatchObject({
        code: 'CHAIN_UNREACHABLE',
        message: `The name service could not be reached at ${sim.url}: connection refused`,
      });
    } finally {
      await sim.up();
    }
  });
});

describe('options', () => {
  it('refuses unusable endpoints, addresses and timeouts at construction', () => {
    expect(() => resolverFor(['http://127.0.0.1:1'])).toThrow(/endpoint refused: "http:\/\/127\.0\.0\.1:1" must start with wss:\/\//);
    expect(() => resolverFor(['ws://rpc.example.org'])).toThrow(
      /"ws:\/\/rpc\.example\.org" is not encrypted: ws:\/\/ is only for a node on this computer/,
    );
    expect(() => resolverFor(['wss://*'])).toThrow(/wildcard/);
    expect(() => resolverFor([sim.url], { genesisHashes: { azero: '0x1234' } })).toThrow(/"0x1234" is not a genesis hash/);
    expect(() => resolverFor([])).toThrow(/no endpoint/);
    expect(() => resolverFor([sim.url], { registries: { azero: 'not-an-address' } })).toThrow(/not a valid account address/);
    expect(() => resolverFor([sim.url], { connectTimeoutMs: Number.POSITIVE_INFINITY })).toThrow(/connectTimeoutMs/);
  });
});

describe('connections', () => {
  it('reuses one connection and one metadata download for many lookups', async () => {
    const own = await startSimulatedChain({ names: { bob: { records: { 'copybara-id': BOB_ID } } } });
    try {
      const r = resolverFor([own.url], { ttlMs: 0 });
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t = performance.now();
        await r.resolve('bob.azero');
        times.push(performance.now() - t);
      }
      expect(own.stats).toMatchObject({ connections: 1, metadataRequests: 1, contractCalls: 60 });
      times.sort((a, b) => a - b);
      expect(times[15]!).toBeLessThan(50); // warm connection, cold cache
      // Concurrent lookups of one name share one query.
      await Promise.all(Array.from({ length: 10 }, () => r.resolve('bob.azero')));
      expect(own.stats.contractCalls).toBe(62);
    } finally {
      await own.close();
    }
  });

  it('closes an idle connection and reopens it without downloading metadata again', async () => {
    const own = await startSimulatedChain({ names: { bob: { records: { 'copybara-id': BOB_ID } } } });
    try {
      const r = resolverFor([own.url], { ttlMs: 0, idleCloseMs: 150 });
      await r.resolve('bob.azero');
      expect(own.stats.openSockets).toBe(1);
      await sleep(600);
      expect(own.stats.openSockets).toBe(0);
      await r.resolve('bob.azero');
      expect(own.stats).toMatchObject({ connections: 2, metadataRequests: 1 });
    } finally {
      await own.close();
    }
  });

  it('uses the second endpoint when the first is down', async () => {
    const dead = await closedPortUrl();
    const res = await resolverFor([dead, sim.url]).resolve('bob.azero');
    expect(res.records.nodeId).toBe(BOB_ID);
  });

  it('names every endpoint it tried when none answers', async () => {
    const [a, b] = [await closedPortUrl(), await closedPortUrl()];
    const e = await failure(resolverFor([a, b]).resolve('bob.azero'));
    expect(e.code).toBe('CHAIN_UNREACHABLE');
    expect(e.message).toBe(`The name service could not be reached at any of ${a} (connection refused), ${b} (connection refused)`);
  });
});

describe('the cache under a flood of made-up names', () => {
  it(
    'one good answer survives 10,000 lookups of unregistered names and is served when the chain is down',
    { timeout: 120_000 },
    async () => {
      // Small enough that, were "no" answers kept, the flood would evict the good entry 100 times over.
      const cache = new MemoryResolutionCache(100);
      const r = resolverFor([sim.url], { cache, ttlMs: 0 });
      expect((await r.resolve('bob.azero')).records.nodeId).toBe(BOB_ID);
      const JUNK = 10_000;
      let refused = 0;
      for (let i = 0; i < JUNK; i += 100) {
        const batch = Array.from({ length: 100 }, (_, j) =>
          r.resolve(`junk${i + j}x${(i * 7919 + j).toString(36)}.azero`).catch((e: { code?: string }) => e.code),
        );
        for (const code of await Promise.all(batch)) if (code === 'NAME_NOT_REGISTERED') refused++;
      }
      expect(refused).toBe(JUNK);
      expect(cache.size).toBe(1);
      await sim.down();
      try {
        expect(await r.resolve('bob.azero')).toMatchObject({ records: { nodeId: BOB_ID }, fromCache: true, source: 'stale-cache' });
      } finally {
        await sim.up();
      }
    },
  );
});

describe('the chain an endpoint serves', () => {
  it('refuses, in words naming the endpoint, an endpoint whose genesis hash is not the pinned one', async () => {
    const other = `0x${'ab'.repeat(32)}`;
    const impostor = await startSimulatedChain({ genesisHash: other, names: { bob: { records: { 'copybara-id': NEW_ID } } } });
    try {
      const r = resolverFor([impostor.url]);
      const e = await failure(r.resolve('bob.azero'));
      expect(e.code).toBe('CHAIN_ERROR');
      expect(e.message).toContain(`${impostor.url} serves a different chain (genesis hash ${other}, expected ${GENESIS_HASH.azero})`);
      // No contract was asked: nothing it says is read.
      expect(impostor.stats.contractCalls).toBe(0);
      // With a good endpoint after it, the good one answers.
      const r2 = resolverFor([impostor.url, sim.url]);
      expect((await r2.resolve('bob.azero')).records.nodeId).toBe(BOB_ID);
    } finally {
      await impostor.close();
    }
  });

  it('the simulated chain presents the pinned genesis hash of the chain it simulates', async () => {
    const testnet = await startSimulatedChain({ chain: 'tzero', names: { bob: { records: { 'copybara-id': BOB_ID } } } });
    try {
      expect((await resolverFor([testnet.url]).resolve('bob.tzero')).records.nodeId).toBe(BOB_ID);
      // …and is refused as mainnet.
      expect(await failure(resolverFor([testnet.url]).resolve('bob.azero'))).toMatchObject({
        code: 'CHAIN_ERROR',
        message: expect.stringMatching(/serves a different chain/),
      });
    } finally {
      await testnet.close();
    }
  });
});
