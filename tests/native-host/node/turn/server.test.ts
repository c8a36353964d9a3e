import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TurnServer } from '../../../../native-host/node/turn/server';
import { rejectionCode, TurnClient, type PeerAddress, type TurnData } from '../../../../testkit/turn-client';

// One TurnServer, two credentials bound to each other in a loop: what user A's client
// relays, A's binding.send() hands to server.deliver() for user B, and back. This is the
// shape of a call with the overlay folded away: each side's browser only ever sees its own
// relayed address and the other side's (virtual) one.

const A_IP = '100.64.0.1';
const B_IP = '100.64.0.2';
const MAX_PAYLOAD = 1200;

function activeHandles(): { udp: number; timers: number } {
  const info = process.getActiveResourcesInfo();
  return { udp: info.filter((r) => r === 'UDPWrap').length, timers: info.filter((r) => r === 'Timeout').length };
}

async function collect(client: TurnClient, n: number): Promise<TurnData[]> {
  const out: TurnData[] = [];
  for (let i = 0; i < n; i++) out.push(await client.nextData());
  return out;
}

describe('TURN server: two users relaying to each other through deliver()', () => {
  // Taken inside a hook, like the final check inside a test: both then include vitest's
  // own timeout timer.
  let baseline = { udp: 0, timers: 0 };
  const logs: string[] = [];
  let server: TurnServer;
  let ca: TurnClient;
  let cb: TurnClient;
  let ra: PeerAddress;
  let rb: PeerAddress;

  beforeAll(async () => {
    baseline = activeHandles();
    server = new TurnServer({ log: (l) => logs.push(l) });
    const port = await server.listen();
    server.addUser('call-a', 'pw-a', {
      relayIp: A_IP,
      peerIp: B_IP,
      maxPayload: MAX_PAYLOAD,
      send: (from, to, data) => void server.deliver('call-b', from, to, data),
    });
    server.addUser('call-b', 'pw-b', {
      relayIp: B_IP,
      peerIp: A_IP,
      maxPayload: MAX_PAYLOAD,
      send: (from, to, data) => void server.deliver('call-a', from, to, data),
    });
    ca = await TurnClient.connect({ port, username: 'call-a', password: 'pw-a' });
    cb = await TurnClient.connect({ port, username: 'call-b', password: 'pw-b' });
  });

  afterAll(async () => {
    await Promise.all([ca?.close(), cb?.close(), server?.close()]);
  });

  it('allocates a virtual relayed address per user', async () => {
    ra = await ca.allocate();
    rb = await cb.allocate();
    expect(ra.address).toBe(A_IP);
    expect(rb.address).toBe(B_IP);
    expect(ra.port).not.toBe(rb.port);
    expect(server.stats()).toMatchObject({ allocations: 2, users: 2 });
  });

  it('relays Send indications both ways as Data indications once permissions exist', async () => {
    await ca.createPermission(B_IP);
    await cb.createPermission(A_IP);
    ca.send(rb, Buffer.from('hello from a'));
    expect(await cb.nextData()).toEqual({ peer: ra, data: Buffer.from('hello from a'), channel: null });
    cb.send(ra, Buffer.from('hello from b'));
    expect(await ca.nextData()).toEqual({ peer: rb, data: Buffer.from('hello from b'), channel: null });
  });

  it('relays ChannelData both ways once channels are bound', async () => {
    const chA = await ca.channelBind(rb);
    const chB = await cb.channelBind(ra);
    ca.sendChannel(rb, Buffer.from('on a channel'));
    expect(await cb.nextData()).toEqual({ peer: ra, data: Buffer.from('on a channel'), channel: chB });
    cb.sendChannel(ra, Buffer.from('and back'), { pad: true });
    expect(await ca.nextData()).toEqual({ peer: rb, data: Buffer.from('and back'), channel: chA });
  });

  it('carries a burst of media-sized datagrams intact, in both directions', async () => {
    const N = 300;
    const payload = (i: number): Buffer => Buffer.alloc(1100, i & 0xff);
    const before = server.stats();
    const gotB = collect(cb, N);
    const gotA = collect(ca, N);
    for (let i = 0; i < N; i++) {
      ca.sendChannel(rb, payload(i));
      cb.send(ra, payload(i + 1));
    }
    const [b, a] = await Promise.all([gotB, gotA]);
    expect(b.map((d) => d.data[0])).toEqual(Array.from({ length: N }, (_, i) => i & 0xff));
    expect(a.every((d, i) => d.data.equals(payload(i + 1)) && d.peer.port === rb.port)).toBe(true);
    const after = server.stats();
    expect(after.relayedToPeer - before.relayedToPeer).toBe(2 * N);
    expect(after.relayedToClient - before.relayedToClient).toBe(2 * N);
  });

  it('collect() records what arrives from its creation on', async () => {
    const atB = cb.collect();
    for (let i = 0; i < 50; i++) ca.sendChannel(rb, Buffer.from([i]));
    expect((await atB.next()).data[0]).toBe(0);
    expect(await atB.count(50)).toBe(50);
    expect(atB.received.map((d) => d.data[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    atB.stop();
    expect(cb.collect().received).toEqual([]);
    await collect(cb, 50); // keep nextData() in step for the tests below
  });

  it('a wrong password gets 401 and relays nothing', async () => {
    const intruder = await TurnClient.connect({ port: server.port, username: 'call-b', password: 'guess' });
    try {
      expect(await rejectionCode(intruder.allocate())).toBe(401);
      const before = server.stats();
      intruder.send(ra, Buffer.from('sneaky'));
      await ca.expectNoData();
      expect(server.stats().relayedToPeer).toBe(before.relayedToPeer);
      expect(server.stats().allocations).toBe(2);
    } finally {
      await intruder.close();
    }
  });

  it('a permission for any other IP is 403', async () => {
    expect(await rejectionCode(ca.createPermission('100.64.0.3'))).toBe(403);
    expect(await rejectionCode(ca.channelBind({ address: '192.0.2.1', port: 9 }))).toBe(403);
  });

  it('oversize payloads are dropped and logged once', async () => {
    const dropped = server.stats().dropped;
    ca.sendChannel(rb, Buffer.alloc(MAX_PAYLOAD + 1));
    ca.send(rb, Buffer.alloc(MAX_PAYLOAD + 100));
    await cb.expectNoData();
    expect(server.stats().dropped).toBe(dropped + 2);
    ca.sendChannel(rb, Buffer.alloc(MAX_PAYLOAD, 7));
    expect((await cb.nextData()).data.length).toBe(MAX_PAYLOAD);
    expect(logs.filter((l) => l.includes('maxPayload'))).toHaveLength(1);
  });

  it('garbage datagrams are counted and the server keeps working', async () => {
    const before = server.stats();
    for (const junk of [Buffer.alloc(0), Buffer.from([0xff, 1, 2]), Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(64, 0x41)]) {
      ca.sendRaw(junk);
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(server.stats().dropped).toBe(before.dropped + 4);
    ca.sendChannel(rb, Buffer.from('still here'));
    expect((await cb.nextData()).data.toString()).toBe('still here');
  });

  it('removeUser tears the credential and its allocation down at once', async () => {
    server.removeUser('call-b');
    expect(server.stats()).toMatchObject({ users: 1, allocations: 1 });
    ca.sendChannel(rb, Buffer.from('into the void'));
    await cb.expectNoData();
    expect(await rejectionCode(cb.refresh())).toBe(401);
  });

  it('close() leaves no sockets or timers behind', async () => {
    await Promise.all([ca.close(), cb.close()]);
    const closing = server.close();
    expect(server.close()).toBe(closing);
    await closing;
    expect(server.deliver('call-a', 1, ra.port, Buffer.from('x'))).toBe(false);
    // dgram emits 'close' before libuv has released the handle; give it a few turns.
    for (let i = 0; i < 50 && activeHandles().udp > baseline.udp; i++) await new Promise((r) => setImmediate(r));
    const now = activeHandles();
    expect(now.udp).toBe(baseline.udp);
    expect(now.timers).toBeLessThanOrEqual(baseline.timers);
  });
});
