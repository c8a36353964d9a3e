import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, SKIP_NETNS, startLab } from '../../testkit/netns/lab';
import { hangUp } from '../../testkit/netns/lab-calls';
import { type LabNode, startLabNode } from '../../testkit/netns/lab-node';
import { until } from '../../testkit/call-checks';
import { runIn } from '../../testkit/netns/run';
import { callState } from '../../testkit/node-socket';
import { type Proc, startProcess, startTestnet, tempDir, waitForLine } from '../../testkit/processes';

// A Firefox call's relay listener, seen from the LAN: two nodes behind home routers call each
// other and each hands out a Firefox relay on its host's LAN address. The router's namespace
// plays a neighbour on that LAN: its STUN Binding and unauthenticated Allocate get no answer
// at all while the call runs (the same probe from the host itself is answered), and after the
// hang-up no socket is bound there any more. A host without a default route gets no Firefox
// relay, with a reason.

const echo = process.env.COPYBARA_TEST_LOGS === '1';

// Sends a STUN Binding request and an unauthenticated TURN Allocate from a connected UDP
// socket, a few times over 2 s, and prints `result answered` or `result silent` (or the
// socket's error).
const PROBE = `
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const [host, port] = [process.argv[1], Number(process.argv[2])];
function stun(type, attrs) {
  const head = Buffer.alloc(20);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(attrs.length, 2);
  head.writeUInt32BE(0x2112a442, 4);
  crypto.randomBytes(12).copy(head, 8);
  return Buffer.concat([head, attrs]);
}
const transport = Buffer.from([0x00, 0x19, 0x00, 0x04, 17, 0, 0, 0]);
const requests = [stun(0x0001, Buffer.alloc(0)), stun(0x0003, transport)];
let result = 'silent';
const s = dgram.createSocket('udp4');
s.on('message', () => { result = 'answered'; });
s.on('error', (e) => { if (result !== 'answered') result = e.code === 'ECONNREFUSED' ? 'refused' : 'error ' + e.code; });
s.connect(port, host, () => {
  const timer = setInterval(() => { for (const r of requests) s.send(r, () => {}); }, 200);
  setTimeout(() => { clearInterval(timer); console.log('result ' + result); process.exit(0); }, 2000);
});
`;

async function probe(ns: string, host: string, port: number): Promise<string> {
  const proc: Proc = startProcess(process.execPath, ['-e', PROBE, host, String(port)], { netns: ns, name: 'probe', echo });
  try {
    const line = await waitForLine(proc, /^result /, 10_000, `the probe from ${ns} to ${host}:${port}`);
    return line.slice('result '.length);
  } finally {
    await proc.stop();
  }
}

// Whether a UDP socket is bound to host:port in the namespace, as `ss` lists them.
async function listening(ns: string, host: string, port: number): Promise<boolean> {
  const out = await runIn(ns, 'ss', ['-Hun', 'state', 'all', 'src', `${host}:${port}`]);
  return out.trim().length > 0;
}

function relayAddress(url: string): { host: string; port: number } {
  const m = /^turn:(\d+\.\d+\.\d+\.\d+):(\d+)\?transport=udp$/.exec(url);
  if (!m) throw new Error(`not a TURN URL of an IPv4 address: ${url}`);
  return { host: m[1]!, port: Number(m[2]) };
}

describe.skipIf(SKIP_NETNS)(SKIP_NETNS ? 'Firefox relay on the LAN (skipped: COPYBARA_SKIP_NETNS=1)' : 'Firefox relay on the LAN', () => {
  let lab: Lab;
  let dir: { path: string; remove(): Promise<void> };
  let testnet: Proc | undefined;
  const nodes: LabNode[] = [];

  beforeAll(async () => {
    // Hosts 1 and 2 behind routers (a LAN and a default route each); host 3 on the internet
    // bridge alone, without a default route.
    lab = await startLab(['port-restricted', 'port-restricted', 'none']);
    dir = await tempDir('ffrelay');
    const net = await startTestnet(echo, { host: lab.internet.address, netns: lab.internet.ns, relays: 1, size: 12 });
    testnet = net.proc;
    const started = await Promise.all(
      lab.hosts.map((host, i) =>
        startLabNode(host, { root: dir.path, name: `n${i + 1}`, bootstrap: net.bootstrap, mode: 'private', echo }),
      ),
    );
    nodes.push(...started);
  });

  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await testnet?.stop();
    await lab?.close();
    await dir?.remove();
  });

  async function answered(caller: LabNode, callee: LabNode): Promise<string> {
    const { callId } = await caller.socket.request({ type: 'call', target: callee.nodeId });
    await callee.socket.waitFor(`${callee.name} rings`, callState(callId, 'incoming'), 30_000);
    await callee.socket.request({ type: 'answer', callId });
    await caller.socket.waitFor(`${caller.name}: call active`, callState(callId, 'active'), 20_000);
    return callId;
  }

  it('a LAN neighbour gets no answer from the relay during the call, and finds nothing listening after it', async () => {
    const [a, b] = nodes as [LabNode, LabNode];
    const callId = await answered(a, b);
    const relays = [];
    for (const n of [a, b]) {
      const turn = await n.socket.request({ type: 'turn', callId, browser: 'firefox' });
      const at = relayAddress(turn.urls[0]!);
      // The host's own LAN address, the one its default route leaves from.
      expect(at.host, `${n.name}'s Firefox relay`).toBe(n.host.address);
      relays.push({ node: n, ...at });
    }
    // Chromium's relay for the same call stays on loopback.
    expect((await a.socket.request({ type: 'turn', callId, browser: 'chromium' })).urls[0]).toMatch(/^turn:127\.0\.0\.1:/);
    const again = await a.socket.request({ type: 'turn', callId, browser: 'firefox' });
    relays[0]!.port = relayAddress(again.urls[0]!).port;

    for (const r of relays) {
      expect(await listening(r.node.host.ns, r.host, r.port), `${r.node.name}'s relay socket during the call`).toBe(true);
      // The same probe from the machine itself is answered (a 401 to the Allocate, which a
      // browser needs), so silence towards the neighbour is the listener's doing.
      expect(await probe(r.node.host.ns, r.host, r.port), `${r.node.name}'s own machine during the call`).toBe('answered');
      expect(await probe(r.node.host.routerNs!, r.host, r.port), `a neighbour of ${r.node.name} during the call`).toBe('silent');
    }
    await hangUp(a, b, callId);
    for (const r of relays) {
      await until(
        `${r.node.name}'s relay socket closed after the call`,
        5000,
        () => listening(r.node.host.ns, r.host, r.port),
        (open) => !open,
      );
      expect(await probe(r.node.host.routerNs!, r.host, r.port), `a neighbour of ${r.node.name} after the call`).toBe('silent');
    }
  });

  it('a host without a default route gets no Firefox relay, and is told why', async () => {
    const [a, , c] = nodes as [LabNode, LabNode, LabNode];
    const callId = await answered(c, a);
    try {
      await expect(c.socket.request({ type: 'turn', callId, browser: 'firefox' })).rejects.toThrow(/NO_LOCAL_ADDRESS/);
      // Chromium needs no such address.
      expect((await c.socket.request({ type: 'turn', callId, browser: 'chromium' })).urls[0]).toMatch(/^turn:127\.0\.0\.1:/);
    } finally {
      await hangUp(c, a, callId);
    }
  });
});
