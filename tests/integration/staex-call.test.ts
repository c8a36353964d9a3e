import { join } from 'node:path';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkInfo } from '../../lib/protocol/native';
import { profileAt } from '../../native-host/common/profile';
import { CopybaraNode } from '../../native-host/node/node';
import { until } from '../../testkit/call-checks';
import { type StaexStandin, type StandinNode, startStaexStandin } from '../../testkit/network/staex';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';
import { TurnClient } from '../../testkit/turn-client';

// Two real nodes, each on its own address of a pretend Staex network (the mcc stand-in), and
// both on a loopback HyperDHT testnet too, as real nodes with mcc-public are. A call given the
// callee's Staex id and a preference for Staex rings, signals and relays media over Staex.

let testnet: Testnet;
let standin: StaexStandin;
let dir: { path: string; remove(): Promise<void> };
const nodes: CopybaraNode[] = [];
const sockets: NodeSocket[] = [];
let a: { node: CopybaraNode; socket: NodeSocket; staex: StandinNode };
let b: { node: CopybaraNode; socket: NodeSocket; staex: StandinNode };
const logs: string[] = [];

async function makeNode(name: string, command: string[]) {
  const node = new CopybaraNode({
    profile: profileAt(join(dir.path, name)),
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(`${name}: ${l}`),
    idleExitMs: null,
    // The stand-in is a Node.js process: on a loaded machine it may take seconds to start.
    staex: { command, port: standin.port, timeoutMs: 30_000 },
    timing: { peerLostAfter: 2000, activeSilenceAfter: 2000, keepAliveInterval: 250, ringAckTimeout: 1000, reconnectTimeout: 3000 },
  });
  nodes.push(node);
  await node.start();
  const socket = await NodeSocket.connect(profileAt(join(dir.path, name)).socketPath);
  sockets.push(socket);
  return { node, socket };
}

const staexInfo = (node: CopybaraNode): NetworkInfo | undefined => node.status().networks?.list.find((n) => n.name === 'staex');

beforeAll(async () => {
  dir = await tempDir('staex-nodes');
  testnet = await createTestnet(3, { host: '127.0.0.1' });
  standin = await startStaexStandin();
  const [sa, sb] = [await standin.add(), await standin.add()];
  a = { ...(await makeNode('a', sa.command)), staex: sa };
  b = { ...(await makeNode('b', sb.command)), staex: sb };
  await until(
    'both nodes on Staex',
    10_000,
    async () => [staexInfo(a.node), staexInfo(b.node)],
    (l) => l.every((n) => n?.available),
  );
});

afterEach(async () => {
  for (const { node } of [a, b]) for (const call of node.calls?.list() ?? []) if (call.state !== 'ended') node.calls!.hangup(call.callId);
  await new Promise((r) => setTimeout(r, 50));
  for (const s of sockets) s.events.length = 0;
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(nodes.map((n) => n.close()));
  await testnet?.destroy();
  await standin?.destroy();
  await dir?.remove();
});

async function answered(request: { staexId?: string; network?: 'staex' | 'hyperdht' }) {
  const call = await a.socket.request({ type: 'call', target: b.node.identity!.nodeId, ...request });
  await b.socket.waitFor('incoming at B', callState(call.callId, 'incoming'));
  await a.socket.waitFor('ringing at A', callState(call.callId, 'ringing'));
  await b.socket.request({ type: 'answer', callId: call.callId });
  await a.socket.waitFor('active at A', callState(call.callId, 'active'));
  return call;
}

const routeOf = (node: CopybaraNode, callId: string) => node.calls!.list().find((c) => c.callId === callId)?.route;

describe('a call over the Staex network (mcc stand-in)', () => {
  it('status lists both networks with their ids and the Staex address', () => {
    const networks = a.node.status().networks!;
    expect(networks.prefer).toBe('hyperdht');
    expect(networks.list.map((n) => [n.name, n.available, n.id])).toEqual([
      ['hyperdht', true, a.node.identity!.nodeId],
      ['staex', true, a.staex.staexId],
    ]);
    expect(staexInfo(a.node)?.address).toBe(a.staex.address);
  });

  it('rings, signals, relays TURN media both ways and hangs up, all over Staex', async () => {
    const call = await answered({ staexId: b.staex.staexId, network: 'staex' });
    expect(routeOf(a.node, call.callId)).toEqual({ relay: null, network: 'staex' });
    expect(routeOf(b.node, call.callId)).toEqual({ relay: null, network: 'staex' });
    const codes = [a.node, b.node].map((n) => n.calls!.list().find((c) => c.callId === call.callId)?.safetyCode);
    expect(codes[0]).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(codes[0]).toBe(codes[1]);

    await a.socket.request({ type: 'signal', callId: call.callId, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    const sig = await b.socket.waitFor('offer at B', (e) => e.event === 'signal' && e.callId === call.callId);
    expect(sig.event === 'signal' && sig.signal).toEqual({ kind: 'offer', sdp: 'v=0\r\n' });

    const [ta, tb] = await Promise.all([
      a.socket.request({ type: 'turn', callId: call.callId, browser: 'chromium' }),
      b.socket.request({ type: 'turn', callId: call.callId, browser: 'chromium' }),
    ]);
    const port = (url: string) => Number(/:(\d+)\?/.exec(url)![1]);
    const ca = await TurnClient.connect({ port: port(ta.urls[0]!), username: ta.username, password: ta.credential });
    const cb = await TurnClient.connect({ port: port(tb.urls[0]!), username: tb.username, password: tb.credential });
    try {
      const ra = await ca.allocate();
      const rb = await cb.allocate();
      await ca.createPermission(rb.address);
      await cb.createPermission(ra.address);
      const atB = cb.collect();
      ca.send(rb, Buffer.from('hello over Staex'));
      const first = await atB.next(5000);
      expect(Buffer.from(first.data).toString()).toBe('hello over Staex');
      await ca.channelBind(rb);
      await cb.channelBind(ra);
      const atA = ca.collect();
      for (let i = 0; i < 200; i++) cb.sendChannel(ra, Buffer.alloc(1100, i));
      expect(await atA.count(180, 5000)).toBeGreaterThanOrEqual(180);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }
    await a.socket.request({ type: 'hangup', callId: call.callId });
    await b.socket.waitFor('B learns A hung up', callState(call.callId, 'ended', 'remote-hangup'));
  });

  it('takes HyperDHT when the person prefers it, or when the callee has no Staex id', async () => {
    const preferred = await answered({ staexId: b.staex.staexId, network: 'hyperdht' });
    expect(routeOf(a.node, preferred.callId)?.network).toBeUndefined();
    await a.socket.request({ type: 'hangup', callId: preferred.callId });
    await b.socket.waitFor('ended at B', callState(preferred.callId, 'ended'));
    const noId = await answered({ network: 'staex' });
    expect(routeOf(a.node, noId.callId)?.network).toBeUndefined();
  });

  it('fails in words when the Staex id given belongs to another node', async () => {
    const stranger = await standin.add();
    const { node: c } = await makeNode('c', stranger.command);
    await until(
      'C on Staex',
      10_000,
      async () => staexInfo(c),
      (n) => n?.available === true,
    );
    // B's node id, with C's Staex id: C answers, with C's key, and A hangs up.
    const call = await a.socket.request({ type: 'call', target: b.node.identity!.nodeId, staexId: stranger.staexId, network: 'staex' });
    const ended = await a.socket.waitFor('the call to fail', callState(call.callId, 'ended'), 20_000);
    expect(ended.event === 'call' && ended.call.reason).toBe('refused');
    expect(ended.event === 'call' && ended.call.detail).toMatch(/answered at .* not node .* that was called/);
    expect(b.socket.events.some(callState(call.callId, 'incoming'))).toBe(false);
  });
});

describe('a node without mcc', () => {
  it('runs on HyperDHT and says why Staex is unavailable and how to fix it', async () => {
    const { node } = await makeNode('no-mcc', [join(dir.path, 'no-such-mcc')]);
    await until(
      'the Staex attempt to fail',
      10_000,
      async () => staexInfo(node),
      (n) => n?.reason !== 'starting',
    );
    expect(staexInfo(node)).toMatchObject({ available: false, reason: 'not-installed', id: null });
    expect(staexInfo(node)?.fix).toMatch(/Install mcc-public/);
    expect(node.status().networks?.list[0]).toMatchObject({ name: 'hyperdht', available: true });
  });
});
