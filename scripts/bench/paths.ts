import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { TurnClient } from '../../testkit/turn-client';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { lineValue, startScript } from './bare-process';
import { Cleanup } from './cleanup';

// A datagram path between two endpoints living in this process, A (near) and B (far):
// two plain UDP sockets on 127.0.0.1, two TURN clients whose traffic goes
// TURN -> node -> overlay -> node -> TURN, or plain UDP through two bare overlay forwarders.
// The traffic generators only see this interface, so all are driven by exactly the same code.

export interface DatagramPath {
  readonly name: string;
  /** SO_RCVBUF of the two endpoint sockets in this process, as the kernel reports it. */
  readonly recvBufferBytes: number;
  /** A -> B */
  forward(data: Buffer): void;
  /** B -> A */
  back(data: Buffer): void;
  /** Replaces the receivers: `atB` gets what A sent, `atA` what B sent. */
  receivers(atB: (data: Buffer) => void, atA: (data: Buffer) => void): void;
}

// The bench's own endpoints get the same, roomy receive buffer on both paths, so that a
// busy moment in this process (it sends and receives for both ends) is not counted against
// either path. The nodes' sockets keep whatever the product sets.
export const ENDPOINT_RECV_BUFFER = 1 << 20;

export function roomy(socket: Socket): number {
  try {
    socket.setRecvBufferSize(ENDPOINT_RECV_BUFFER);
  } catch {
    // Capped or refused by the kernel; getRecvBufferSize reports what we got.
  }
  return socket.getRecvBufferSize();
}

export function bindUdp(): Promise<Socket> {
  const socket = createSocket('udp4');
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Two dgram sockets on 127.0.0.1 with default buffer sizes: the baseline. */
export async function rawUdpPath(cleanup: Cleanup): Promise<DatagramPath> {
  const a = await bindUdp();
  const b = await bindUdp();
  cleanup.defer('close raw UDP sockets', () => {
    a.close();
    b.close();
  });
  return socketPairPath('raw-udp', a, b, b.address().port, a.address().port);
}

// Two sockets of this process as a path: A sends to `aTo`, B to `bTo` (on 127.0.0.1), and
// whatever reaches each socket is what arrived at that end.
function socketPairPath(name: string, a: Socket, b: Socket, aTo: number, bTo: number): DatagramPath {
  const recvBufferBytes = Math.min(roomy(a), roomy(b));
  let atA: (d: Buffer) => void = () => {};
  let atB: (d: Buffer) => void = () => {};
  a.on('message', (m) => atA(m));
  b.on('message', (m) => atB(m));
  return {
    name,
    recvBufferBytes,
    forward: (d) => a.send(d, aTo, '127.0.0.1'),
    back: (d) => b.send(d, bTo, '127.0.0.1'),
    receivers(toB, toA) {
      atB = toB;
      atA = toA;
    },
  };
}

export interface RelaySetup {
  path: DatagramPath;
  callId: string;
  callSetupMs: number;
  relayed: { caller: string; callee: string };
}

const turnPort = (url: string): number => {
  const m = /^turn:127\.0\.0\.1:(\d+)\?transport=udp$/.exec(url);
  if (!m) throw new Error(`unexpected TURN url ${url} (expected turn:127.0.0.1:PORT?transport=udp)`);
  return Number(m[1]);
};

/**
 * Places a call from node A to node B through their local sockets, answers it, and sets up
 * one TURN client per side with permissions and bound channels, the way Chromium's TurnPort
 * does before sending media. Every wait is bounded.
 */
export async function relayPath(
  a: { profile: string },
  b: { profile: string; nodeId: string },
): Promise<RelaySetup & { close(): Promise<string[]> }> {
  // Torn down in reverse: TURN clients, hang-up, node sockets. The caller runs close()
  // before stopping the nodes (and registers it with the benchmark's cleanup).
  const local = new Cleanup();
  try {
    return { ...(await setUpRelay(local, a, b)), close: () => local.runAll() };
  } catch (err) {
    await local.runAll();
    throw err;
  }
}

async function setUpRelay(cleanup: Cleanup, a: { profile: string }, b: { profile: string; nodeId: string }): Promise<RelaySetup> {
  const sa = await NodeSocket.connect(join(a.profile, 'node.sock'));
  cleanup.defer('close node socket A', () => sa.close());
  const sb = await NodeSocket.connect(join(b.profile, 'node.sock'));
  cleanup.defer('close node socket B', () => sb.close());

  const started = performance.now();
  const call = await sa.request({ type: 'call', target: b.nodeId }, 15_000);
  await sb.waitFor('relay bench: incoming call at B', callState(call.callId, 'incoming'), 15_000);
  await sb.request({ type: 'answer', callId: call.callId });
  await sa.waitFor('relay bench: call active at A', callState(call.callId, 'active'), 15_000);
  const callSetupMs = performance.now() - started;
  cleanup.defer('hang up the relay call', async () => {
    await sa.request({ type: 'hangup', callId: call.callId }, 5000).catch(() => {});
  });

  const [ta, tb] = await Promise.all([
    sa.request({ type: 'turn', callId: call.callId, browser: 'chromium' }),
    sb.request({ type: 'turn', callId: call.callId, browser: 'chromium' }),
  ]);
  const ca = await TurnClient.connect({ port: turnPort(ta.urls[0]!), username: ta.username, password: ta.credential, timeoutMs: 5000 });
  cleanup.defer('close TURN client A', () => ca.close());
  const cb = await TurnClient.connect({ port: turnPort(tb.urls[0]!), username: tb.username, password: tb.credential, timeoutMs: 5000 });
  cleanup.defer('close TURN client B', () => cb.close());
  const ra = await ca.allocate();
  const rb = await cb.allocate();
  await ca.createPermission(rb.address);
  await cb.createPermission(ra.address);
  await ca.channelBind(rb);
  await cb.channelBind(ra);

  // TurnClient keeps its socket to itself; the bench reaches in only to size the buffer.
  const socketOf = (c: TurnClient) => (c as unknown as { socket: Socket }).socket;
  const recvBufferBytes = Math.min(roomy(socketOf(ca)), roomy(socketOf(cb)));

  let atA: (d: Buffer) => void = () => {};
  let atB: (d: Buffer) => void = () => {};
  ca.on('data', ({ data }) => atA(data));
  cb.on('data', ({ data }) => atB(data));
  const path: DatagramPath = {
    name: 'relay',
    recvBufferBytes,
    forward: (d) => ca.sendChannel(rb, d),
    back: (d) => cb.sendChannel(ra, d),
    receivers(toB, toA) {
      atB = toB;
      atA = toA;
    },
  };
  return { path, callId: call.callId, callSetupMs, relayed: { caller: `${ra.address}:${ra.port}`, callee: `${rb.address}:${rb.port}` } };
}

/**
 * The floor for the relay: two bare-forwarder.ts processes with one HyperDHT connection
 * between them, plain UDP on both ends (no TURN). Ready once a datagram went each way.
 */
export async function bareOverlayPath(
  cleanup: Cleanup,
  bootstrap: string,
): Promise<{ path: DatagramPath; pids: { 'floor-a': number; 'floor-b': number } }> {
  const a = await bindUdp();
  const b = await bindUdp();
  cleanup.defer('close the bare overlay path sockets', () => {
    a.close();
    b.close();
  });
  const serve = startScript(cleanup, 'bare-forwarder.ts', ['serve', bootstrap, String(b.address().port)], 'bare-forwarder-b');
  const key = await lineValue(serve.proc, /^key ([0-9a-f]{64})$/, 'bare forwarder B');
  const dial = startScript(cleanup, 'bare-forwarder.ts', ['dial', bootstrap, key, String(a.address().port)], 'bare-forwarder-a');
  const udp = /^udp (\d+)$/;
  const [toA, toB] = (
    await Promise.all([lineValue(dial.proc, udp, 'bare forwarder A'), lineValue(serve.proc, udp, 'bare forwarder B')])
  ).map(Number);
  const path = socketPairPath('bare-overlay', a, b, toA!, toB!);
  return { path, pids: { 'floor-a': dial.proc.child.pid!, 'floor-b': serve.proc.child.pid! } };
}
