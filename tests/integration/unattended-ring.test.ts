import { join } from 'node:path';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopybaraNode } from '../../native-host/node/node';
import { profileAt } from '../../native-host/common/profile';
import { until } from '../../testkit/call-checks';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';

// A ring that reaches a node with no browser attached (the browser closed, or its bridge not
// yet started): the node says so in its log, and the call is there for the first bridge that
// attaches, which learns of it from `status` as the extension does on every (re)connect.

let testnet: Testnet;
let dir: { path: string; remove(): Promise<void> };
const nodes: CopybaraNode[] = [];
const sockets: NodeSocket[] = [];
const logs: string[] = [];

async function startNode(name: string): Promise<CopybaraNode> {
  const node = new CopybaraNode({
    profile: profileAt(join(dir.path, name)),
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(`${name}: ${l}`),
    idleExitMs: null,
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
  dir = await tempDir('unattended-ring');
  testnet = await createTestnet(3, { host: '127.0.0.1' });
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(nodes.map((n) => n.close()));
  await testnet?.destroy();
  await dir?.remove();
});

describe('a ring while no browser is attached', () => {
  it('is logged as such, and the first bridge to attach finds the call', async () => {
    await startNode('a');
    const b = await startNode('b');
    const sa = await attach('a');
    expect(logs).toContain('a: a bridge or command attached (1 attached)');

    const call = await sa.request({ type: 'call', target: b.identity!.nodeId });
    await sa.waitFor('ringing at A', callState(call.callId, 'ringing'), 15_000);
    const unattended = `b: call ${call.callId} rings with no browser attached: it shows once one attaches, until the ring times out`;
    await until('B logs the unattended ring', 5000, async () => logs.includes(unattended), Boolean);

    const sb = await attach('b');
    expect(logs).toContain('b: a bridge or command attached (1 attached)');
    const status = await sb.request({ type: 'status' });
    expect(status.calls.find((c) => c.callId === call.callId)?.state).toBe('incoming');

    await sa.request({ type: 'hangup', callId: call.callId });
    await sb.waitFor('B stops ringing', callState(call.callId, 'ended', 'missed'));
    sb.close();
    await until('B logs the detach', 5000, async () => logs.includes('b: a bridge or command detached (0 attached)'), Boolean);
    // Only the one unattended ring was logged: B had a bridge for the rest of the call.
    expect(logs.filter((l) => l.includes('rings with no browser attached'))).toEqual([unattended]);
  }, 40_000);
});
