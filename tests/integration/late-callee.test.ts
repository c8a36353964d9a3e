import { join } from 'node:path';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopybaraNode } from '../../native-host/node/node';
import { loadIdentity } from '../../native-host/node/identity';
import { ensureProfile, profileAt } from '../../native-host/common/profile';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';

// A call placed to a node that is not on the network yet: the caller keeps looking the key up
// for its whole dial budget, so the ring arrives once the callee's node comes online.

let testnet: Testnet;
let dir: { path: string; remove(): Promise<void> };
const nodes: CopybaraNode[] = [];
const sockets: NodeSocket[] = [];
const logs: string[] = [];

async function startNode(name: string): Promise<{ node: CopybaraNode; socket: NodeSocket }> {
  const profile = profileAt(join(dir.path, name));
  const node = new CopybaraNode({
    profile,
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(`${name}: ${l}`),
    idleExitMs: null,
    timing: { peerLostAfter: 2000, keepAliveInterval: 250, ringAckTimeout: 1000, dialTimeout: 15_000 },
  });
  nodes.push(node);
  await node.start();
  const socket = await NodeSocket.connect(profile.socketPath);
  sockets.push(socket);
  return { node, socket };
}

beforeAll(async () => {
  dir = await tempDir('late-callee');
  testnet = await createTestnet(3, { host: '127.0.0.1' });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(nodes.map((n) => n.close()));
  await testnet?.destroy();
  await dir?.remove();
});

describe('a callee whose node starts after the call was placed', () => {
  it('still gets the ring', async () => {
    // B's identity exists (it is in A's contacts, say), but B's node is not running.
    const bProfile = profileAt(join(dir.path, 'b'));
    await ensureProfile(bProfile);
    const bId = (await loadIdentity(bProfile)).nodeId;

    const a = await startNode('a');
    const placed = Date.now();
    const call = await a.socket.request({ type: 'call', target: bId });

    // The first lookups find nobody.
    const lookingAgain = () => logs.some((l) => l.startsWith('a: ') && /found no answering node; looking again/.test(l));
    while (!lookingAgain() && Date.now() - placed < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(lookingAgain()).toBe(true);
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - placed))));
    expect(a.socket.events.some(callState(call.callId, 'ended'))).toBe(false);

    const b = await startNode('b');
    expect(b.node.identity!.nodeId).toBe(bId);
    const ring = await b.socket.waitFor('incoming at B', callState(call.callId, 'incoming'), 14_000);
    expect(ring.event === 'call' && ring.call.peer).toBe(a.node.identity!.nodeId);
    await a.socket.waitFor('ringing at A', callState(call.callId, 'ringing'));
    expect(Date.now() - placed).toBeGreaterThan(3000);

    await a.socket.request({ type: 'hangup', callId: call.callId });
    await b.socket.waitFor('B stops ringing', callState(call.callId, 'ended', 'missed'));
  }, 30_000);
});
