import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CopybaraNode } from '../../native-host/node/node';
import { DEFAULT_RELAY_LIMITS, type RunningRelay } from '../../native-host/node/network/relay-server';
import { RELAY_BURST_SECONDS, RELAY_PAIR_RATE_FLOOR } from '../../native-host/node/network/relay-rates';
import { PrivateNet } from '../../testkit/private-call';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';
import { type SiteServer, bigHash, startSiteServer, viaProxy } from '../../testkit/sites';

// Large transfers of a site through a blind relay that runs with its default limits, the ones
// a relay on the DHT has: the relay cuts a pair that keeps going over its per-pair rate, and the
// nodes pace what they send through it below that rate, so the transfers complete, slowed, and
// nothing is cut. Private mode on a loopback testnet; names on the SIMULATED contract chain.

// Many times what a relay forgives at once (RELAY_BURST_SECONDS of its rate, 4 MB).
const DOWNLOAD = 24 * 1024 * 1024;
const UPLOAD = 8 * 1024 * 1024;

let net: PrivateNet;
let relay: RunningRelay;
let chain: SimulatedChain;
let site: SiteServer;
let alice: CopybaraNode;
let bob: CopybaraNode;

beforeAll(async () => {
  net = await PrivateNet.start('sites-pacing');
  relay = await net.relay('relay');
  chain = await startSimulatedChain();
  site = await startSiteServer();
  const names = { nameEndpoints: { azero: [chain.url], tzero: [chain.url] } };
  let sa;
  [alice, sa] = await net.node('alice', [relay], undefined, names);
  [bob] = await net.node('bob', [relay], undefined, names);
  chain.register('alice', { records: { 'copybara-id': alice.identity!.nodeId } });
  await sa.request({ type: 'site', port: site.port });
}, 60_000);

afterAll(async () => {
  await site?.close();
  await net?.close();
  await chain?.close();
});

describe('a site through a relay with the default limits', () => {
  it('runs at the rates this test relies on', () => {
    expect(DEFAULT_RELAY_LIMITS.maxPairRate).toBe(RELAY_PAIR_RATE_FLOOR);
    expect(DOWNLOAD).toBeGreaterThan(3 * RELAY_PAIR_RATE_FLOOR * RELAY_BURST_SECONDS);
  });

  it('carries a download many times its burst allowance, and an upload at the same time, and cuts nothing', async () => {
    const proxy = bob.sites!.proxyPort!;
    // One small visit first, so both transfers share one overlay connection (one relay pair).
    expect((await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 40_000 })).status).toBe(200);
    expect(relay.counts().pairs).toBe(1);
    const upload = randomBytes(UPLOAD);
    const [down, echo] = await Promise.all([
      viaProxy(proxy, `http://alice.azero/bytes/${DOWNLOAD}`, { digest: true, timeoutMs: 120_000 }),
      viaProxy(proxy, 'http://alice.azero/echo', { body: upload, digest: true, timeoutMs: 120_000 }),
    ]);
    // The relay reads its counters every 250 ms: two readings more see the last bytes.
    await new Promise((r) => setTimeout(r, 600));
    const counts = relay.counts();
    const relayLog = net.logs.filter((l) => l.startsWith('relay: '));
    expect(counts.cut, relayLog.join('\n')).toBe(0);
    expect(down.status).toBe(200);
    expect(down.bytes).toBe(DOWNLOAD);
    expect(down.sha256).toBe(bigHash(DOWNLOAD));
    expect(echo.status).toBe(200);
    expect(echo.bytes).toBe(UPLOAD);
    expect(echo.sha256).toBe(createHash('sha256').update(upload).digest('hex'));
    // It all went through the relay, on the one pair.
    expect(counts.pairs).toBe(1);
    expect(counts.bytes).toBeGreaterThan(DOWNLOAD + 2 * UPLOAD);
  }, 150_000);
});
