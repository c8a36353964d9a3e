import { join } from 'node:path';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopybaraNode } from '../../native-host/node/node';
import { loadIdentity } from '../../native-host/node/identity';
import { ensureProfile, profileAt } from '../../native-host/common/profile';
import { until } from '../../testkit/call-checks';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';

// A callee who is not there yet. Their node is not on the network: the caller keeps looking
// the key up for its whole dial budget, so the ring arrives once the callee's node comes
// online. Their node runs but no browser is attached (it closed, or its bridge has not started
// yet): the node says so in its log, and the first bridge to attach finds the call in `status`,
// as the extension asks on every (re)connect.

let testnet: Testnet;
let dir: { path: string; remove(): Promise<void> };
const nodes: CopybaraNode[] = [];
const sockets: NodeSocket[] = [];
const logs: string[] = [];

// A node with no browser attached: attach() plays the bridge.
async function startNode(name: string): Promise<CopybaraNode> {
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
  return node;
}

async function attach(name: string): Promise<NodeSocket> {
  const socket = await NodeSocket.connect(profileAt(join(dir.path, name)).socketPath);
  sockets.push(socket);
  return socket;
}

beforeAll(async () => {
  dir = await tempDir('absent-callee');
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
    const sa = await attach('a');
    const placed = Date.now();
    const call = await sa.request({ type: 'call', target: bId });

    // The first lookups find nobody.
    const lookingAgain = () => logs.some((l) => l.startsWith('a: ') && /found no answering node; looking again/.test(l));
    while (!lookingAgain() && Date.now() - placed < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(lookingAgain()).toBe(true);
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - placed))));
    expect(sa.events.some(callState(call.callId, 'ended'))).toBe(false);

    const b = await startNode('b');
    const sb = await attach('b');
    expect(b.identity!.nodeId).toBe(bId);
    const ring = await sb.waitFor('incoming at B', callState(call.callId, 'incoming'), 14_000);
    expect(ring.event === 'call' && ring.call.peer).toBe(a.identity!.nodeId);
    await sa.waitFor('ringing at A', callState(call.callId, 'ringing'));
    expect(Date.now() - placed).toBeGreaterThan(3000);

    await sa.request({ type: 'hangup', callId: call.callId });
    await sb.waitFor('B stops ringing', callState(call.callId, 'ended', 'missed'));
  }, 30_000);
});

describe('a ring while no browser is attached', () => {
  it('is logged as such, and the first bridge to attach finds the call', async () => {
    await startNode('c');
    const d = await startNode('d');
    const sc = await attach('c');
    expect(logs).toContain('c: a bridge or command attached (1 attached)');

    const call = await sc.request({ type: 'call', target: d.identity!.nodeId });
    await sc.waitFor('ringing at C', callState(call.callId, 'ringing'), 15_000);
    const unattended = `d: call ${call.callId} rings with no browser attached: it shows once one attaches, until the ring times out`;
    await until('D logs the unattended ring', 5000, async () => logs.includes(unattended), Boolean);

    const sd = await attach('d');
    expect(logs).toContain('d: a bridge or command attached (1 attached)');
    const status = await sd.request({ type: 'status' });
    expect(status.calls.find((c) => c.callId === call.callId)?.state).toBe('incoming');

    await sc.request({ type: 'hangup', callId: call.callId });
    await sd.waitFor('D stops ringing', callState(call.callId, 'ended', 'missed'));
    sd.close();
    await until('D logs the detach', 5000, async () => logs.includes('d: a bridge or command detached (0 attached)'), Boolean);
    // Only the one unattended ring was logged: D had a bridge for the rest of the call.
    expect(logs.filter((l) => l.startsWith('d: ') && l.includes('rings with no browser attached'))).toEqual([unattended]);
  }, 40_000);
});
