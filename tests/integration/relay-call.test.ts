import { join } from 'node:path';
import DHT from 'hyperdht';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileAt } from '../../native-host/common/profile';
import { CopybaraNode } from '../../native-host/node/node';
import { type RunningRelay, startRelay } from '../../native-host/node/network/relay-server';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';
import { TurnClient } from '../../testkit/turn-client';

// A whole call between two nodes in private mode (`node --relay KEY`): ring, answer, signalling
// and media datagrams all cross the blind relay, which carries their connection as one pair.

let testnet: Testnet;
let relay: RunningRelay;
let dir: { path: string; remove(): Promise<void> };
const nodes: CopybaraNode[] = [];
const sockets: NodeSocket[] = [];
const logs: string[] = [];

async function privateNode(name: string): Promise<[CopybaraNode, NodeSocket]> {
  const node = new CopybaraNode({
    profile: profileAt(join(dir.path, name)),
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(`${name}: ${l}`),
    idleExitMs: null,
    timing: { peerLostAfter: 2000, keepAliveInterval: 250, ringAckTimeout: 1000 },
    relays: { pinned: [relay.publicKey] },
  });
  nodes.push(node);
  await node.start();
  const socket = await NodeSocket.connect(profileAt(join(dir.path, name)).socketPath);
  sockets.push(socket);
  return [node, socket];
}

beforeAll(async () => {
  dir = await tempDir('relay-call');
  testnet = await createTestnet(3, { host: '127.0.0.1' });
  relay = await startRelay({ keyPair: DHT.keyPair(), bootstrap: testnet.bootstrap, log: (l) => logs.push(`relay: ${l}`), announce: false });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(nodes.map((n) => n.close()));
  await relay?.close();
  await testnet?.destroy();
  await dir?.remove();
});

describe('a call in private mode', () => {
  it('rings, is answered, and carries signalling and media through the relay', async () => {
    const [, sa] = await privateNode('a');
    const [b, sb] = await privateNode('b');
    expect(relay.counts().pairs).toBe(0);

    const call = await sa.request({ type: 'call', target: b.identity!.nodeId });
    await sb.waitFor('incoming at B', callState(call.callId, 'incoming'));
    await sb.request({ type: 'answer', callId: call.callId });
    await sa.waitFor('active at A', callState(call.callId, 'active'));
    expect(relay.counts().pairs).toBe(1);

    await sa.request({ type: 'signal', callId: call.callId, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    const sig = await sb.waitFor('offer at B', (e) => e.event === 'signal' && e.callId === call.callId);
    expect(sig.event === 'signal' && sig.signal).toEqual({ kind: 'offer', sdp: 'v=0\r\n' });

    const [ta, tb] = await Promise.all([
      sa.request({ type: 'turn', callId: call.callId }),
      sb.request({ type: 'turn', callId: call.callId }),
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
      ca.send(rb, Buffer.from('media through the relay'));
      const first = await atB.next(5000);
      expect(Buffer.from(first.data).toString()).toBe('media through the relay');
    } finally {
      await ca.close();
      await cb.close();
    }
    await sa.request({ type: 'hangup', callId: call.callId });
    await sb.waitFor('ended at B', callState(call.callId, 'ended'));
  });
});
