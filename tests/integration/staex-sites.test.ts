import { join } from 'node:path';
import DHT from 'hyperdht';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../lib/node-id';
import type { NetworkName } from '../../lib/protocol/native';
import { profileAt } from '../../native-host/common/profile';
import { CopybaraNode } from '../../native-host/node/node';
import { until } from '../../testkit/call-checks';
import { type StaexStandin, type StandinNode, startStaexStandin } from '../../testkit/network/staex';
import { NodeSocket } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';
import { type SiteServer, BIG_BYTES, bigHash, startSiteServer, viaProxy } from '../../testkit/sites';

// Sites over the Staex network: two real nodes, each on its own address of a pretend Staex
// network (the mcc stand-in) and on a loopback HyperDHT testnet, as real nodes with mcc-public
// are. Alice publishes a local web server; Bob's browser (played by HTTP clients) visits
// http://alice.azero through Bob's proxy. Names resolve on the SIMULATED contract chain.

let testnet: Testnet;
let standin: StaexStandin;
let chain: SimulatedChain;
let site: SiteServer;
let dir: { path: string; remove(): Promise<void> };
const nodes: CopybaraNode[] = [];
const sockets: NodeSocket[] = [];
let alice: { node: CopybaraNode; socket: NodeSocket; staex: StandinNode };
let bob: { node: CopybaraNode; socket: NodeSocket; staex: StandinNode };
let proxy: number;
const logs: string[] = [];

async function makeNode(name: string, staex: StandinNode) {
  const node = new CopybaraNode({
    profile: profileAt(join(dir.path, name)),
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(`${name}: ${l}`),
    idleExitMs: null,
    // The stand-in is a Node.js process: on a loaded machine it may take seconds to start.
    staex: { command: staex.command, port: standin.port, timeoutMs: 30_000 },
    nameEndpoints: { azero: [chain.url], tzero: [chain.url] },
  });
  nodes.push(node);
  await node.start();
  const socket = await NodeSocket.connect(profileAt(join(dir.path, name)).socketPath);
  sockets.push(socket);
  return { node, socket, staex };
}

const staexUp = (node: CopybaraNode) => node.status().networks?.list.find((n) => n.name === 'staex')?.available === true;

// The lines Bob's node logged about opening site connections since `from`: which network each took.
const opened = (from: number) =>
  logs
    .slice(from)
    .filter((l) => l.startsWith('bob: ') && l.includes('site connection to') && l.includes(' open over '))
    .map((l) => l.slice(l.lastIndexOf(' ') + 1));

// Bob's browser pushes its setting as the extension does, and his node starts afresh.
async function prefer(network: NetworkName): Promise<void> {
  await bob.socket.request({ type: 'site', network });
  bob.node.sites!.closeConnections();
}

beforeAll(async () => {
  dir = await tempDir('staex-sites');
  testnet = await createTestnet(3, { host: '127.0.0.1' });
  standin = await startStaexStandin();
  chain = await startSimulatedChain();
  site = await startSiteServer();
  const [sa, sb] = [await standin.add(), await standin.add()];
  alice = await makeNode('alice', sa);
  bob = await makeNode('bob', sb);
  await until('both nodes on Staex', 20_000, async () => [alice.node, bob.node].every(staexUp), Boolean);
  const aliceId = alice.node.identity!.nodeId;
  chain.register('alice', { records: { 'copybara-id': aliceId, 'staex-id': sa.staexId } });
  // Alice's site under a name that gives only her Staex id.
  chain.register('alicestaex', { records: { 'staex-id': sa.staexId } });
  // Alice's site under a name that gives only her node id: no way to reach her over Staex.
  chain.register('alicedht', { records: { 'copybara-id': aliceId } });
  // A name whose Staex id mcc does not know: a node that left the Staex network.
  chain.register('gone', {
    records: { 'copybara-id': encodeNodeId(DHT.keyPair().publicKey), 'staex-id': encodeNodeId(DHT.keyPair().publicKey) },
  });
  await alice.socket.request({ type: 'site', port: site.port });
  proxy = bob.node.sites!.proxyPort!;
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(nodes.map((n) => n.close()));
  await site?.close();
  await chain?.close();
  await testnet?.destroy();
  await standin?.destroy();
  await dir?.remove();
});

describe('visiting alice.azero over the Staex network', () => {
  it('shows the page when the person prefers Staex and the name has a staex-id, as from 127.0.0.1', async () => {
    await prefer('staex');
    const from = logs.length;
    const r = await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 30_000 });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('Alice’s site');
    expect(site.seen.at(-1)).toEqual({ url: '/', host: 'alice.azero', from: '127.0.0.1' });
    expect(opened(from)).toEqual(['staex']);
  });

  it('carries a 50 MB download intact, on the same one connection', async () => {
    const before = bob.node.sites!.siteConnections;
    const r = await viaProxy(proxy, 'http://alice.azero/big', { digest: true, timeoutMs: 240_000 });
    expect(r.status).toBe(200);
    expect(r.bytes).toBe(BIG_BYTES);
    expect(r.sha256).toBe(bigHash());
    expect(bob.node.sites!.siteConnections).toBe(before);
  }, 300_000);

  it('serves 20 visitors at once over one Staex connection', async () => {
    const before = bob.node.sites!.siteConnections;
    const answers = await Promise.all(Array.from({ length: 20 }, () => viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 30_000 })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(bob.node.sites!.siteConnections).toBe(before);
  });
});

describe('which network a visit takes, by the rules calls follow', () => {
  it('HyperDHT when the person prefers it, though the name has a staex-id', async () => {
    await prefer('hyperdht');
    const from = logs.length;
    const r = await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 30_000 });
    expect(r.status).toBe(200);
    expect(opened(from)).toEqual(['hyperdht']);
  });

  it('HyperDHT for a name without a staex-id, though Staex is preferred', async () => {
    await prefer('staex');
    const from = logs.length;
    const r = await viaProxy(proxy, 'http://alicedht.azero/', { timeoutMs: 30_000 });
    expect(r.status).toBe(200);
    expect(opened(from)).toEqual(['hyperdht']);
  });

  it('a new preference closes connections open on the old network', async () => {
    await prefer('staex');
    expect((await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 30_000 })).status).toBe(200);
    const from = logs.length;
    await bob.socket.request({ type: 'site', network: 'hyperdht' });
    expect((await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 30_000 })).status).toBe(200);
    expect(opened(from)).toEqual(['hyperdht']);
  });
});

describe('what a visitor sees when Staex cannot show the site', () => {
  it('a name with only a staex-id: an explanation, and nothing is opened', async () => {
    await prefer('staex');
    const seen = site.seen.length;
    const from = logs.length;
    const r = await viaProxy(proxy, 'http://alicestaex.azero/', { timeoutMs: 30_000 });
    expect(r.status).toBe(404);
    const page = r.body.toString();
    expect(page).toContain('alicestaex.azero does not point to a Copybara node');
    expect(page).toContain('has no node id (no copybara-id record), only a Staex id');
    expect(opened(from)).toEqual([]);
    expect(site.seen.length).toBe(seen);
  });

  it('a Staex id that mcc does not know: the node is not reachable', async () => {
    await prefer('staex');
    const r = await viaProxy(proxy, 'http://gone.azero/', { timeoutMs: 40_000 });
    expect(r.status).toBe(504);
    const page = r.body.toString();
    expect(page).toContain('gone.azero is not reachable');
    expect(page).toContain('offline or not reachable');
  });

  it('a node that publishes nothing answers so over Staex too', async () => {
    await prefer('staex');
    await alice.socket.request({ type: 'site', port: null });
    try {
      const r = await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 30_000 });
      expect(r.status).toBe(404);
      expect(r.body.toString()).toContain('alice.azero publishes no site');
    } finally {
      await alice.socket.request({ type: 'site', port: site.port });
    }
  });
});
