import { join } from 'node:path';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Timing } from '../../native-host/node/calls/call-manager';
import { CopybaraNode } from '../../native-host/node/node';
import { encodeNodeId } from '../../lib/node-id';
import { profileAt } from '../../native-host/common/profile';
import { TurnClient } from '../../testkit/turn-client';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { tempDir } from '../../testkit/processes';
import { until } from '../../testkit/call-checks';
import { encodeFrame } from '../../native-host/common/framing';

// Two real nodes on a loopback HyperDHT testnet, driven through their local sockets the way
// bridges drive them, with real TURN clients standing where the browsers' WebRTC stacks are.

let testnet: Testnet;
let dir: { path: string; remove(): Promise<void> };
let a: CopybaraNode;
let b: CopybaraNode;
let sa: NodeSocket;
let sb: NodeSocket;
const logs: string[] = [];

async function makeNode(name: string, timing: Partial<Timing> = {}): Promise<CopybaraNode> {
  const node = new CopybaraNode({
    profile: profileAt(join(dir.path, name)),
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(`${name}: ${l}`),
    idleExitMs: null,
    timing: {
      peerLostAfter: 2000,
      activeSilenceAfter: 2000,
      keepAliveInterval: 250,
      ringAckTimeout: 1000,
      reconnectTimeout: 3000,
      ...timing,
    },
  });
  await node.start();
  return node;
}

beforeAll(async () => {
  dir = await tempDir('nodes');
  testnet = await createTestnet(3, { host: '127.0.0.1' });
  [a, b] = await Promise.all([makeNode('a'), makeNode('b')]);
  [sa, sb] = await Promise.all([
    NodeSocket.connect(profileAt(join(dir.path, 'a')).socketPath),
    NodeSocket.connect(profileAt(join(dir.path, 'b')).socketPath),
  ]);
});

// A failed test must not leave a call running into the next one.
afterEach(async () => {
  for (const node of [a, b]) {
    for (const call of node.calls?.list() ?? []) if (call.state !== 'ended') node.calls!.hangup(call.callId);
  }
  await new Promise((r) => setTimeout(r, 50));
  sa.events.length = 0;
  sb.events.length = 0;
});

afterAll(async () => {
  sa?.close();
  sb?.close();
  await Promise.all([a?.close(), b?.close()]);
  await testnet?.destroy();
  await dir?.remove();
});

async function answeredCall() {
  const call = await sa.request({ type: 'call', target: b.identity!.nodeId });
  await sb.waitFor('incoming at B', callState(call.callId, 'incoming'));
  await sa.waitFor('ringing at A', callState(call.callId, 'ringing'));
  await sb.request({ type: 'answer', callId: call.callId });
  await sa.waitFor('active at A', callState(call.callId, 'active'));
  return call;
}

describe('two nodes on a loopback testnet', () => {
  it('ring, answer, signal, relay TURN traffic both ways, hang up', async () => {
    const call = await answeredCall();
    const incoming = sb.events.find(callState(call.callId, 'incoming'));
    expect(incoming?.event === 'call' && incoming.call.peer).toBe(a.identity!.nodeId);
    const codes = [a, b].map((n) => n.calls!.list().find((c) => c.callId === call.callId)?.safetyCode);
    expect(codes[0]).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(codes[0]).toBe(codes[1]);

    await sa.request({ type: 'signal', callId: call.callId, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    const sig = await sb.waitFor('offer at B', (e) => e.event === 'signal' && e.callId === call.callId);
    expect(sig.event === 'signal' && sig.signal).toEqual({ kind: 'offer', sdp: 'v=0\r\n' });

    const [ta, tb] = await Promise.all([
      sa.request({ type: 'turn', callId: call.callId, browser: 'chromium' }),
      sb.request({ type: 'turn', callId: call.callId, browser: 'chromium' }),
    ]);
    expect(ta.urls[0]).toMatch(/^turn:127\.0\.0\.1:\d+\?transport=udp$/);
    expect(ta.username).not.toBe(tb.username);
    const port = (url: string) => Number(/:(\d+)\?/.exec(url)![1]);
    const ca = await TurnClient.connect({ port: port(ta.urls[0]!), username: ta.username, password: ta.credential });
    const cb = await TurnClient.connect({ port: port(tb.urls[0]!), username: tb.username, password: tb.credential });
    try {
      const ra = await ca.allocate();
      const rb = await cb.allocate();
      expect(ra.address).toBe('100.64.0.1');
      expect(rb.address).toBe('100.64.0.2');
      await ca.createPermission(rb.address);
      await cb.createPermission(ra.address);

      const atB = cb.collect();
      ca.send(rb, Buffer.from('hello over the overlay'));
      const first = await atB.next(5000);
      expect(first.peer).toEqual(ra);
      expect(Buffer.from(first.data).toString()).toBe('hello over the overlay');

      await ca.channelBind(rb);
      await cb.channelBind(ra);
      const atA = ca.collect();
      for (let i = 0; i < 200; i++) cb.sendChannel(ra, Buffer.alloc(1100, i));
      const got = await atA.count(180, 5000);
      expect(got).toBeGreaterThanOrEqual(180);
    } finally {
      await Promise.all([ca.close(), cb.close()]);
    }

    await sa.request({ type: 'hangup', callId: call.callId });
    await sb.waitFor('B learns A hung up', callState(call.callId, 'ended', 'remote-hangup'));
    await expect(sa.request({ type: 'turn', callId: call.callId, browser: 'chromium' })).rejects.toThrow(/CALL_NOT_ALLOWED/);
  });

  it('decline reaches the caller; the claimed name travels with the ring', async () => {
    const call = await sa.request({ type: 'call', target: b.identity!.nodeId, name: 'alice.azero' });
    const ring = await sb.waitFor('incoming at B', callState(call.callId, 'incoming'));
    expect(ring.event === 'call' && ring.call.peerName).toBe('alice.azero');
    await sb.request({ type: 'decline', callId: call.callId });
    await sa.waitFor('declined at A', callState(call.callId, 'ended', 'declined'));
  });

  it('a second caller hears busy', async () => {
    const call = await answeredCall();
    const third = await makeNode('c');
    const sc = await NodeSocket.connect(profileAt(join(dir.path, 'c')).socketPath);
    try {
      const other = await sc.request({ type: 'call', target: b.identity!.nodeId });
      await sc.waitFor('busy at C', callState(other.callId, 'ended', 'busy'));
    } finally {
      sc.close();
      await third.close();
    }
    await sa.request({ type: 'hangup', callId: call.callId });
  });

  it('refuses bad requests with a coded error and keeps serving', async () => {
    await expect(sa.request({ type: 'call', target: 'not-a-node-id' })).rejects.toThrow(/BAD_NODE_ID/);
    await expect(sa.request({ type: 'call', target: a.identity!.nodeId })).rejects.toThrow(/SELF_CALL/);
    await expect(sa.request({ type: 'answer', callId: 'f'.repeat(32) })).rejects.toThrow(/UNKNOWN_CALL/);
    const garbage = await NodeSocket.connect(profileAt(join(dir.path, 'a')).socketPath);
    garbage.writeRaw(Buffer.from([5, 0, 0, 0, 1, 2, 3, 4, 5]));
    garbage.writeRaw(encodeFrame({ v: 1, id: 1, type: 'answer', callId: 'x' }, 1000));
    garbage.writeRaw(Buffer.from([255, 255, 255, 127]));
    await until(
      'the node logs the bad frames',
      2000,
      async () => logs.join('\n'),
      (l) => /bad frame/.test(l) && /request rejected/.test(l),
    );
    garbage.close();
    expect((await sa.request({ type: 'status' })).nodeId).toBe(a.identity!.nodeId);
  });

  it('redials when a connection carries no answer to the ring', async () => {
    // B's node ignores the first connection it is given, as if it had never arrived.
    const calls = b.calls!;
    const accept = calls.accept.bind(calls);
    let ignored = 0;
    calls.accept = (link) => (ignored++ === 0 ? undefined : accept(link));
    try {
      const call = await sa.request({ type: 'call', target: b.identity!.nodeId });
      await sa.waitFor('ringing at A after a redial', callState(call.callId, 'ringing'), 8000);
      expect(ignored).toBe(2);
      expect(logs.some((l) => l.startsWith('a: ') && /carried no answer; redialling/.test(l))).toBe(true);
      await sa.request({ type: 'hangup', callId: call.callId });
      await sb.waitFor('B stops ringing', callState(call.callId, 'ended', 'missed'));
    } finally {
      calls.accept = accept;
    }
  });

  it('a call link for anyone, while its maker waits: shown to the maker, connected only once the maker confirms', async () => {
    const link = await sa.request({ type: 'link', name: 'alice.azero' });
    await sa.request({ type: 'wait-link', invitation: link.invitation, waiting: true });
    const call = await sb.request({ type: 'call', target: a.identity!.nodeId, invitation: link.invitation });
    const atA = await sa.waitFor('A is asked', callState(call.callId, 'incoming'));
    expect(atA.event === 'call' && atA.call.viaLink).toBe(true);
    await sb.waitFor('B hears it ring', callState(call.callId, 'ringing'));
    await expect(sa.request({ type: 'turn', callId: call.callId, browser: 'chromium' })).rejects.toThrow(/answered call/);
    await sa.request({ type: 'answer', callId: call.callId });
    await sb.waitFor('B is in the call once A confirmed', callState(call.callId, 'active'));
    await sb.request({ type: 'hangup', callId: call.callId });
    await sa.waitFor('A sees the end', callState(call.callId, 'ended'));
  });

  it('a call link made for B: answered without ringing while its maker waits, then refused as used', async () => {
    // A makes the link for B and waits for it; B answers it, which dials A.
    const link = await sa.request({ type: 'link', name: 'alice.azero', callee: b.identity!.nodeId });
    expect(link.url).toContain(link.payload);
    await sa.request({ type: 'wait-link', invitation: link.invitation, waiting: true });
    const call = await sb.request({ type: 'call', target: a.identity!.nodeId, invitation: link.invitation });
    await sb.waitFor('B is in the call at once', callState(call.callId, 'active'));
    const atA = await sa.waitFor('A took it without ringing', callState(call.callId, 'active'));
    expect(atA.event === 'call' && atA.call.viaLink).toBe(true);
    expect(sa.events.some(callState(call.callId, 'incoming'))).toBe(false);
    await sb.request({ type: 'hangup', callId: call.callId });
    await sa.waitFor('A sees the end', callState(call.callId, 'ended'));

    const again = await sb.request({ type: 'call', target: a.identity!.nodeId, invitation: link.invitation });
    const refused = await sb.waitFor('used link refused', callState(again.callId, 'ended', 'refused'));
    expect(refused.event === 'call' && refused.call.detail).toMatch(/already used/);
  });

  it('a call link nobody waits for rings as any call; one made for someone else is refused', async () => {
    const link = await sa.request({ type: 'link' });
    const call = await sb.request({ type: 'call', target: a.identity!.nodeId, invitation: link.invitation });
    const ring = await sa.waitFor('A rings', callState(call.callId, 'incoming'));
    expect(ring.event === 'call' && ring.call.invitation).toBe(link.invitation);
    await sa.request({ type: 'decline', callId: call.callId });
    await sb.waitFor('declined at B', callState(call.callId, 'ended', 'declined'));

    const forSomeoneElse = await sa.request({ type: 'link', callee: encodeNodeId(Buffer.alloc(32, 5)) });
    const other = await sb.request({ type: 'call', target: a.identity!.nodeId, invitation: forSomeoneElse.invitation });
    const refused = await sb.waitFor('wrong callee refused', callState(other.callId, 'ended', 'refused'));
    expect(refused.event === 'call' && refused.call.detail).toMatch(/someone else/);
  });

  it('a call nobody answers ends as no-answer for the caller and missed for the callee', async () => {
    const impatient = await makeNode('d', { ringTimeout: 800 });
    const sd = await NodeSocket.connect(profileAt(join(dir.path, 'd')).socketPath);
    try {
      const call = await sd.request({ type: 'call', target: b.identity!.nodeId });
      await sb.waitFor('incoming at B', callState(call.callId, 'incoming'));
      await sd.waitFor('no answer at D', callState(call.callId, 'ended', 'no-answer'));
      await sb.waitFor('missed at B', callState(call.callId, 'ended', 'missed'));
    } finally {
      sd.close();
      await impatient.close();
    }
  });

  it('ends the call within seconds when the peer vanishes', async () => {
    const call = await answeredCall();
    // Pull B off the network without a word: its DHT and every connection die at once.
    await (b.backend as unknown as { _dht: { destroy(o: { force: boolean }): Promise<void> } })._dht.destroy({ force: true });
    // First the call tries to reconnect (B's node is gone, so nobody answers), then it ends.
    await sa.waitFor('reconnecting at A', callState(call.callId, 'reconnecting'), 5000);
    const ended = await sa.waitFor('peer lost at A', callState(call.callId, 'ended', 'peer-lost'), 8000);
    expect(ended.event === 'call' && ended.call.detail).toBe('the connection was lost and could not be re-established within 3 s');
  });
});
