import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MemoryResolutionCache } from '../../../lib/names/memory-cache';
import { NameResolver } from '../../../lib/names/resolver';
import { type SimulatedChain, startSimulatedChain } from '../../../testkit/sim-chain';
import { BOB_ID, closeResolvers, failure, resolverFor, sleep } from '../../../testkit/names';

// Faults injected into the SIMULATED contract chain: what the resolver says when the node or
// the contract misbehaves, and that every wait ends.

let sim: SimulatedChain;

beforeAll(async () => {
  sim = await startSimulatedChain({ names: { bob: { records: { 'copybara-id': BOB_ID } } } });
});
afterEach(async () => {
  sim.clearFaults();
  await closeResolvers();
});
afterAll(async () => {
  await sim?.close();
});

describe('contract faults are CHAIN_ERROR, in words, naming the endpoint', () => {
  it.each([
    ['revert without output', { revert: true }, /the contract reverted without an answer/],
    ['LangError', { langError: true }, /could not read our request \(CouldNotReadInput\); is it the AZERO\.ID registry\?/],
    ['contract trap', { trap: true }, /the contract call failed on chain \(ContractTrapped\)/],
    ['garbage output', { garbageOutput: true }, /neither Ok \(0\) nor Err \(1\)/],
    ['garbage result bytes', { garbageResult: true }, /answer is empty|not a contract call result/],
    ['JSON-RPC error', { rpcError: true }, /the contract call failed \(-32000: Client error: Execution failed: simulated\)/],
  ])('%s', async (_what, faults, words) => {
    sim.setFault(faults);
    const e = await failure(resolverFor([sim.url]).resolve('bob.azero'));
    expect(e.code).toBe('CHAIN_ERROR');
    expect(e.message).toMatch(words);
    expect(e.message).toContain(`(${sim.url})`);
  });

  it('with a cached answer, a contract fault falls back to it (fromCache)', async () => {
    const r = resolverFor([sim.url], { ttlMs: 0 });
    const first = await r.resolve('bob.azero');
    sim.setFault({ revert: true });
    expect(await r.resolve('bob.azero')).toMatchObject({ fromCache: true, verifiedAt: first.verifiedAt, records: { nodeId: BOB_ID } });
  });
});

describe('transport faults', () => {
  it('a slow answer is cancelled by the signal, at once', async () => {
    const r = resolverFor([sim.url]);
    await r.resolve('warm-up.azero').catch(() => undefined); // connect first
    sim.setFault({ delayMs: 5000 });
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 100);
    const e = await failure(r.resolve('bob.azero', abort.signal));
    expect(e).toMatchObject({ code: 'CANCELLED', message: 'name lookup cancelled' });
    expect(e.ms).toBeLessThan(1000);
  });

  it('a signal aborted before the call, or while connecting, cancels too', async () => {
    const abort = new AbortController();
    abort.abort();
    expect((await failure(resolverFor([sim.url]).resolve('bob.azero', abort.signal))).code).toBe('CANCELLED');
    sim.setFault({ silent: true });
    const during = new AbortController();
    setTimeout(() => during.abort(), 100);
    const e = await failure(resolverFor([sim.url]).resolve('bob.azero', during.signal));
    expect(e.code).toBe('CANCELLED');
    expect(e.ms).toBeLessThan(1000);
  });

  it('an answer slower than the query timeout is CHAIN_UNREACHABLE', async () => {
    const r = resolverFor([sim.url], { queryTimeoutMs: 300 });
    await r.resolve('warm-up.azero').catch(() => undefined);
    sim.setFault({ delayMs: 2000 });
    const e = await failure(r.resolve('bob.azero'));
    expect(e).toMatchObject({
      code: 'CHAIN_UNREACHABLE',
      message: `The name service could not be reached at ${sim.url}: no answer within 300 ms`,
    });
    expect(e.ms).toBeLessThan(1000);
  });

  it('a disconnect mid-query is CHAIN_UNREACHABLE, and the next lookup reconnects', async () => {
    const r = resolverFor([sim.url]);
    sim.setFault({ disconnectOnCall: true });
    expect(await failure(r.resolve('bob.azero'))).toMatchObject({
      code: 'CHAIN_UNREACHABLE',
      message: `The name service could not be reached at ${sim.url}: the connection dropped during the lookup`,
    });
    sim.clearFaults();
    expect((await r.resolve('bob.azero')).records.nodeId).toBe(BOB_ID);
  });

  it('a connection dropped while idle is noticed and replaced', async () => {
    const r = resolverFor([sim.url], { ttlMs: 0 });
    await r.resolve('bob.azero');
    sim.dropConnections();
    await sleep(50);
    expect((await r.resolve('bob.azero')).source).toBe('chain');
  });

  it('an endpoint that accepts but never answers fails within the connect timeout', async () => {
    sim.setFault({ silent: true });
    const e = await failure(resolverFor([sim.url], { connectTimeoutMs: 800 }).resolve('bob.azero'));
    expect(e).toMatchObject({
      code: 'CHAIN_UNREACHABLE',
      message: `The name service could not be reached at ${sim.url}: no answer within 800 ms`,
    });
    expect(e.ms).toBeGreaterThan(700);
    expect(e.ms).toBeLessThan(2000);
  });

  it('with the default 10 s, a dead endpoint is reported within ~10 s', async () => {
    sim.setFault({ silent: true });
    const r = new NameResolver({ endpoints: { azero: [sim.url] }, cache: new MemoryResolutionCache() });
    try {
      const e = await failure(r.resolve('bob.azero'));
      expect(e).toMatchObject({
        code: 'CHAIN_UNREACHABLE',
        message: `The name service could not be reached at ${sim.url}: no answer within 10 s`,
      });
      expect(e.ms).toBeGreaterThan(9_500);
      expect(e.ms).toBeLessThan(11_000);
    } finally {
      await r.close();
    }
  }, 20_000);

  it('a failed endpoint is not retried in the background', async () => {
    await sim.down();
    const e = await failure(resolverFor([sim.url]).resolve('bob.azero'));
    expect(e.code).toBe('CHAIN_UNREACHABLE');
    await sim.up();
    const before = sim.stats.connections;
    await sleep(3000); // WsProvider's own retry delay is 2.5 s
    expect(sim.stats.connections).toBe(before);
  });
});
