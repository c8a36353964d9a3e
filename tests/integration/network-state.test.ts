import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeEvent } from '../../lib/protocol/native';
import type { HostPort } from '../../native-host/common/bootstrap';
import { profileAt } from '../../native-host/common/profile';
import { CopybaraNode } from '../../native-host/node/node';
import { NodeSocket } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';

// The network state a real node reports in its status and pushes to its bridges: connected on
// a loopback testnet, not connected when its only bootstrap address is a closed port.

let testnet: Testnet;
let dir: { path: string; remove(): Promise<void> };
const logs: string[] = [];

beforeAll(async () => {
  dir = await tempDir('network-state');
  testnet = await createTestnet(3, { host: '127.0.0.1' });
});

afterAll(async () => {
  await testnet?.destroy();
  await dir?.remove();
});

// A UDP port on 127.0.0.1 that nothing listens on (bound once, then closed).
async function closedPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

async function withNode(name: string, bootstrap: HostPort[], body: (node: CopybaraNode, socket: NodeSocket) => Promise<void>) {
  const profile = profileAt(join(dir.path, name));
  const node = new CopybaraNode({ profile, bootstrap, log: (l) => logs.push(`${name}: ${l}`), idleExitMs: null });
  await node.start();
  const socket = await NodeSocket.connect(profile.socketPath);
  try {
    await body(node, socket);
  } finally {
    socket.close();
    await node.close();
  }
}

const networkEvent = (kind: string) => (e: NodeEvent) => e.event === 'network' && e.network.kind === kind;

describe('network state', () => {
  it('on the testnet: online, in the status and as an event', async () => {
    await withNode('on', testnet.bootstrap, async (_node, socket) => {
      const first = await socket.request({ type: 'status' });
      if (first.network.kind !== 'online') await socket.waitFor('online event', networkEvent('online'));
      expect((await socket.request({ type: 'status' })).network).toEqual({ kind: 'online', relays: null });
    });
  });

  it('with only a closed port to bootstrap from: offline, in the status and as an event', async () => {
    const port = await closedPort();
    await withNode('off', [{ host: '127.0.0.1', port }], async (_node, socket) => {
      // The node's socket opens once HyperDHT has finished bootstrapping, so the state is
      // usually known by the first status; if not, it follows as an event.
      const first = await socket.request({ type: 'status' });
      expect(first.network.kind).not.toBe('online');
      if (first.network.kind !== 'offline') await socket.waitFor('offline event', networkEvent('offline'), 20_000);
      expect((await socket.request({ type: 'status' })).network).toEqual({ kind: 'offline' });
      expect(logs).toContain('off: network: offline');
    });
  });
});
