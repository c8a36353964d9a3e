import { Agent } from 'node:http';
import DHT from 'hyperdht';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeNodeId } from '../../lib/node-id';
import type { CopybaraNode } from '../../native-host/node/node';
import type { RunningRelay } from '../../native-host/node/network/relay-server';
import type { NodeSocket } from '../../testkit/node-socket';
import { PrivateNet } from '../../testkit/private-call';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';
import { type SiteServer, BIG_BYTES, bigHash, rawExchange, startSiteServer, tunnel, viaProxy } from '../../testkit/sites';

// Sites between two nodes in private mode on a loopback testnet: Alice publishes a local web
// server, Bob's browser (played by HTTP clients) visits http://alice.azero through Bob's proxy.
// Names resolve on the SIMULATED contract chain (testkit/sim-chain) with the real resolver.

let net: PrivateNet;
let relay: RunningRelay;
let chain: SimulatedChain;
let site: SiteServer;
let alice: CopybaraNode;
let sa: NodeSocket;
let bob: CopybaraNode;
let sb: NodeSocket;
let proxy: number;

beforeAll(async () => {
  net = await PrivateNet.start('sites');
  // A relay with its default limits: it cuts a pair that keeps going over its rate, and the
  // publisher paces what it sends through it below that rate (the 50 MB download takes ~35 s).
  relay = await net.relay('relay');
  chain = await startSimulatedChain();
  site = await startSiteServer();
  const names = { nameEndpoints: { azero: [chain.url], tzero: [chain.url] } };
  [alice, sa] = await net.node('alice', [relay], undefined, names);
  [bob, sb] = await net.node('bob', [relay], undefined, names);
  chain.register('alice', { records: { 'copybara-id': alice.identity!.nodeId } });
  // Bob's node is online and publishes nothing.
  chain.register('bob', { records: { 'copybara-id': bob.identity!.nodeId } });
  chain.register('ghost', { records: { 'copybara-id': encodeNodeId(DHT.keyPair().publicKey) } });
  chain.register('empty', { records: { 'staex-id': bob.identity!.nodeId } });
  proxy = bob.sites!.proxyPort!;
}, 60_000);

afterAll(async () => {
  await site?.close();
  await net?.close();
  await chain?.close();
});

describe('publishing', () => {
  it('is off until turned on, then answers with the published port', async () => {
    expect(await sa.request({ type: 'site' })).toEqual({ published: null, proxyPort: alice.sites!.proxyPort });
    expect(await sa.request({ type: 'site', port: site.port })).toMatchObject({ published: { port: site.port } });
    const status = await sa.request({ type: 'status' });
    expect(status.proxyPort).toBe(alice.sites!.proxyPort);
  });
});

describe('visiting alice.azero through the proxy, the overlay and the relay', () => {
  it('shows the page, with the request arriving at the site as from 127.0.0.1', async () => {
    const r = await viaProxy(proxy, 'http://alice.azero/');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toContain('Alice’s site');
    const req = site.seen.at(-1)!;
    expect(req).toEqual({ url: '/', host: 'alice.azero', from: '127.0.0.1' });
    // Private mode: the overlay connection runs through the relay.
    expect(relay.counts().pairs).toBe(1);
  });

  it('treats .a0 as the same name, and keeps a connection alive across requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await viaProxy(proxy, 'http://alice.a0/', { agent });
      const second = await viaProxy(proxy, 'http://alice.azero/nothing', { agent });
      const third = await viaProxy(proxy, 'http://alice.azero/echo', { agent, body: Buffer.from('posted body') });
      expect([first.status, second.status, third.status]).toEqual([200, 404, 200]);
      expect(third.body.toString()).toBe('posted body');
      expect(new Set([first.localPort, second.localPort, third.localPort]).size).toBe(1);
    } finally {
      agent.destroy();
    }
  });

  it('carries a streamed chunked answer', async () => {
    const r = await viaProxy(proxy, 'http://alice.azero/chunked');
    expect(r.headers['transfer-encoding']).toBe('chunked');
    expect(r.body.toString()).toBe('part 0\npart 1\npart 2\npart 3\npart 4\n');
  });

  it('carries a 50 MB download intact', async () => {
    const r = await viaProxy(proxy, 'http://alice.azero/big', { digest: true, timeoutMs: 240_000 });
    expect(r.status).toBe(200);
    expect(r.bytes).toBe(BIG_BYTES);
    expect(r.sha256).toBe(bigHash());
    expect(relay.counts().cut).toBe(0);
  }, 300_000);

  it('carries a WebSocket upgrade, and a WebSocket inside a CONNECT tunnel', async () => {
    const echo = async (ws: WebSocket) => {
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const answer = new Promise<string>((resolve) => ws.once('message', (d) => resolve(Buffer.from(d as Buffer).toString())));
      ws.send('hello over the overlay');
      const text = await answer;
      ws.close();
      return text;
    };
    // The upgrade request itself goes to the proxy, naming the site in Host.
    const direct = new WebSocket(`ws://127.0.0.1:${proxy}/ws`, { headers: { Host: 'alice.azero' }, handshakeTimeout: 20_000 });
    expect(await echo(direct)).toBe('hello over the overlay');
    const socket = await tunnel(proxy, 'alice.azero:80');
    const tunnelled = new WebSocket('ws://alice.azero/ws', { createConnection: () => socket, handshakeTimeout: 20_000 });
    expect(await echo(tunnelled)).toBe('hello over the overlay');
  });

  it('serves 50 visitors at once over one overlay connection', async () => {
    expect((await viaProxy(proxy, 'http://alice.azero/')).status).toBe(200);
    const before = bob.sites!.siteConnections;
    const pairs = relay.counts().pairs;
    const answers = await Promise.all(Array.from({ length: 50 }, () => viaProxy(proxy, 'http://alice.azero/')));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    // 50 TCP connections to the proxy, no new overlay connection and no new relay pair.
    expect(bob.sites!.siteConnections).toBe(before);
    expect(relay.counts().pairs).toBe(pairs);
  });
});

describe('the endpoints names are looked up on', () => {
  it("are the browser's, pushed with the site request, unless the node was given its own", async () => {
    const [carol, sc] = await net.node('carol', [relay]);
    await sc.request({ type: 'site', endpoints: { azero: [chain.url], tzero: [chain.url] } });
    const r = await viaProxy(carol.sites!.proxyPort!, 'http://alice.azero/', { timeoutMs: 40_000 });
    expect(r.status).toBe(200);
    // Bob's node was started with its endpoint: a browser's push does not replace it.
    await sb.request({ type: 'site', endpoints: { azero: ['ws://127.0.0.1:9'], tzero: ['ws://127.0.0.1:9'] } });
    expect((await viaProxy(proxy, 'http://alice.azero/')).status).toBe(200);
  }, 60_000);
});

describe('a publisher that lets only contacts ring', () => {
  it('still serves strangers its site, and turns their connections away once it stops publishing', async () => {
    await sa.request({ type: 'ring-policy', blocked: [], allowOnly: [] });
    // Each visit below opens a fresh overlay connection, so Alice's handshake hook decides it.
    const opened = bob.sites!.siteConnections;
    bob.sites!.closeConnections();
    try {
      expect((await viaProxy(proxy, 'http://alice.azero/chunked', { timeoutMs: 40_000 })).status).toBe(200);
      expect(bob.sites!.siteConnections).toBe(opened + 1);
      await sa.request({ type: 'site', port: null });
      bob.sites!.closeConnections();
      const shut = await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 40_000 });
      expect(shut.status).toBe(504);
    } finally {
      await sa.request({ type: 'site', port: site.port });
      await sa.request({ type: 'ring-policy', blocked: [], allowOnly: null });
    }
  }, 60_000);
});

describe('what a visitor sees when there is no site to show', () => {
  it('a name that is not registered, or has no node id', async () => {
    const unregistered = await viaProxy(proxy, 'http://nobody.azero/');
    expect(unregistered.status).toBe(404);
    expect(unregistered.body.toString()).toContain('nobody.azero does not point to a Copybara node');
    const empty = await viaProxy(proxy, 'http://empty.azero/');
    expect(empty.status).toBe(404);
    expect(empty.body.toString()).toContain('has no node id');
  });

  it('a node that publishes nothing', async () => {
    const r = await viaProxy(proxy, 'http://bob.azero/');
    expect(r.status).toBe(404);
    expect(r.body.toString()).toContain('bob.azero publishes no site');
  });

  it('a node that is offline', async () => {
    const r = await viaProxy(proxy, 'http://ghost.azero/', { timeoutMs: 40_000 });
    expect(r.status).toBe(504);
    expect(r.body.toString()).toContain('ghost.azero is not reachable');
  }, 60_000);

  it('a published port with no server behind it', async () => {
    await sa.request({ type: 'site', port: 1 });
    try {
      const r = await viaProxy(proxy, 'http://alice.azero/');
      expect(r.status).toBe(502);
      expect(r.body.toString()).toContain('is not answering');
    } finally {
      await sa.request({ type: 'site', port: site.port });
    }
  });
});

describe('the proxy is not an open proxy', () => {
  it('refuses other hosts, CONNECT to other hosts and other ports, forwarding nothing', async () => {
    const seen = site.seen.length;
    const cases: [string, number][] = [
      ['GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n', 403],
      [`GET http://127.0.0.1:${site.port}/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 403],
      ['GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 403],
      ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 403],
      ['CONNECT alice.azero:22 HTTP/1.1\r\nHost: alice.azero:22\r\n\r\n', 403],
      ['GET http://alice.azero:8080/ HTTP/1.1\r\nHost: alice.azero\r\n\r\n', 403],
      ['GET http://www.alice.azero/ HTTP/1.1\r\nHost: www.alice.azero\r\n\r\n', 400],
      ['GET http://alice.azero/ HTTP/1.1\r\nHost: alice.azero\r\nX: a\x01b\r\n\r\n', 400],
      ['GARBAGE\r\n\r\n', 400],
      [`GET / HTTP/1.1\r\nHost: alice.azero\r\nX: ${'y'.repeat(20_000)}\r\n\r\n`, 431],
    ];
    for (const [request, status] of cases) {
      const answer = await rawExchange(proxy, request);
      expect(answer.split('\r\n')[0], JSON.stringify(request.slice(0, 60))).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toContain('Content-Type: text/html');
    }
    expect(site.seen.length).toBe(seen);
  });
});

describe('publishing lasts across a restart until stopped', () => {
  it('restarts publishing, then stops', async () => {
    await alice.close();
    const [again, socket] = await net.node('alice', [relay], undefined, { nameEndpoints: { azero: [chain.url] } });
    expect(await socket.request({ type: 'site' })).toMatchObject({ published: { port: site.port } });
    const r = await viaProxy(proxy, 'http://alice.azero/', { timeoutMs: 40_000 });
    expect(r.status).toBe(200);
    expect(await socket.request({ type: 'site', port: null })).toMatchObject({ published: null });
    const after = await viaProxy(proxy, 'http://alice.azero/');
    expect(after.status).toBe(404);
    expect(again.sites!.info().published).toBeNull();
  }, 60_000);
});
