import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import type { SignallingMessage } from '../../../../lib/protocol/signalling';
import { CallManager } from '../../../../native-host/node/calls/call-manager';
import { FirefoxRelays } from '../../../../native-host/node/calls/firefox-relays';
import { defaultRouteAddress, localAddresses } from '../../../../native-host/node/network/local-addresses';
import { TurnServer } from '../../../../native-host/node/turn/server';
import { METHOD } from '../../../../native-host/node/turn/stun/constants';
import { FakeBackend, FakeLink, FakeTurn } from '../../../../testkit/calls/fakes';
import { TurnClient } from '../../../../testkit/turn-client';

// The per-call TURN listeners of Firefox calls, on real sockets. The "machine's own address"
// is played by 127.0.0.5 and another machine by 127.0.0.9, so everything stays on loopback;
// the listener treats a source by whether it is in the own-address list, not by its range.

const OWN = '127.0.0.5';
const STRANGER = '127.0.0.9';
const CALL = 'cd'.repeat(16);
const logs: string[] = [];
const open: { close(): Promise<void> | void }[] = [];

function relays(address: string | null = OWN): FirefoxRelays {
  const r = new FirefoxRelays({ log: (l) => logs.push(l), address: () => Promise.resolve(address), ownAddresses: () => new Set([OWN]) });
  open.push({ close: () => r.closeAll() });
  return r;
}

async function client(port: number, from: string, user = 'u', password = 'p'): Promise<TurnClient> {
  const c = await TurnClient.connect({ host: OWN, bindHost: from, port, username: user, password, timeoutMs: 600 });
  open.push(c);
  return c;
}

// Whether something still holds the UDP port: binding it ourselves fails then.
function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(true));
    s.bind({ port, address: OWN, exclusive: true }, () => s.close(() => resolve(false)));
  });
}

afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  logs.length = 0;
});

describe('a Firefox call relay', () => {
  it('listens on the address it was given, once per call', async () => {
    const r = relays();
    const server = await r.open(CALL);
    expect(server.host).toBe(OWN);
    expect(server.port).toBeGreaterThan(0);
    expect(await r.open(CALL)).toBe(server);
    expect(r.has(CALL)).toBe(true);
  });

  it('answers this machine, including the 401 a browser needs before it authenticates', async () => {
    const server = await relays().open(CALL);
    server.addUser('u', 'p', { relayIp: '100.64.0.1', peerIp: '100.64.0.2', maxPayload: 1200, send: () => {} });
    const c = await client(server.port, OWN);
    expect(await c.allocate()).toMatchObject({ address: '100.64.0.1' });
  });

  it('gives another machine no answer at all: no 401, no Binding, not even with the right credential', async () => {
    const server = await relays().open(CALL);
    server.addUser('u', 'p', { relayIp: '100.64.0.1', peerIp: '100.64.0.2', maxPayload: 1200, send: () => {} });
    const stranger = await client(server.port, STRANGER);
    await expect(stranger.transact(METHOD.ALLOCATE)).rejects.toThrow(/timed out/);
    await expect(stranger.transact(METHOD.BINDING)).rejects.toThrow(/timed out/);
    await expect(stranger.allocate()).rejects.toThrow(/timed out/);
    stranger.sendRaw(Buffer.from('not even STUN'));
    const stats = server.stats();
    expect(stats.rejected).toBe(0);
    expect(stats.allocations).toBe(0);
    expect(stats.dropped).toBeGreaterThan(0);
    expect(logs.some((l) => l.includes(`from ${STRANGER}`) && l.includes('not an address of this machine'))).toBe(true);
  });

  it('is gone when closed: nothing listens on its port', async () => {
    const r = relays();
    const { port } = await r.open(CALL);
    expect(await portTaken(port)).toBe(true);
    await r.close(CALL);
    expect(r.has(CALL)).toBe(false);
    expect(await portTaken(port)).toBe(false);
  });

  it('without a default-route address says so, and tries again next time', async () => {
    let address: string | null = null;
    const r = new FirefoxRelays({ log: () => {}, address: () => Promise.resolve(address), ownAddresses: () => new Set([OWN]) });
    open.push({ close: () => r.closeAll() });
    await expect(r.open(CALL)).rejects.toMatchObject({ code: 'NO_LOCAL_ADDRESS' });
    expect(r.has(CALL)).toBe(false);
    address = OWN;
    expect((await r.open(CALL)).host).toBe(OWN);
  });
});

describe('a Firefox call through the call manager', () => {
  const PEER = Buffer.alloc(32, 2);

  // A call manager with a loopback relay (faked) and a real Firefox relay set, closed after the test.
  function manager() {
    const turn = new FakeTurn();
    const firefox = relays();
    const calls = new CallManager({
      backend: new FakeBackend(),
      turn,
      firefox,
      publicKey: Buffer.alloc(32, 1),
      emit: () => {},
      log: () => {},
    });
    open.push({ close: () => calls.close() });
    return { turn, firefox, calls };
  }

  it('moves the call credential to its own listener, which closes when the call ends', async () => {
    const { turn, firefox, calls } = manager();
    const link = new FakeLink(PEER);
    link.reply = (m: SignallingMessage) => (m.type === 'ping' ? { type: 'pong', seq: m.seq } : null);
    calls.accept(link);
    link.receive({ type: 'ring', callId: CALL, name: null, video: true, invitation: null });
    await expect(calls.turn(CALL, 'firefox')).rejects.toThrow(/answered call/);
    expect(firefox.has(CALL)).toBe(false);

    calls.answer(CALL);
    const t = await calls.turn(CALL, 'firefox');
    const m = /^turn:(127\.0\.0\.5):(\d+)\?transport=udp$/.exec(t.urls[0]!);
    expect(m, t.urls[0]).not.toBeNull();
    // Only the call's own listener knows the credential now, not the loopback relay.
    expect(turn.users.has(t.username)).toBe(false);
    const c = await client(Number(m![2]), OWN, t.username, t.credential);
    expect(await c.allocate()).toMatchObject({ address: '100.64.0.2' });
    expect((await calls.turn(CALL, 'firefox')).urls).toEqual(t.urls);

    calls.hangup(CALL);
    expect(calls.list()[0]).toMatchObject({ peer: encodeNodeId(PEER), state: 'ended' });
    await expect.poll(() => firefox.has(CALL)).toBe(false);
    expect(await portTaken(Number(m![2]))).toBe(false);
  });

  it('a Chromium tab of the same call goes back to the loopback relay and the listener closes', async () => {
    const { turn, firefox, calls } = manager();
    const link = new FakeLink(PEER);
    calls.accept(link);
    link.receive({ type: 'ring', callId: CALL, name: null, video: true, invitation: null });
    calls.answer(CALL);
    const ff = await calls.turn(CALL, 'firefox');
    const cr = await calls.turn(CALL, 'chromium');
    expect(cr.urls[0]).toMatch(/^turn:127\.0\.0\.1:\d+\?transport=udp$/);
    expect(cr.username).toBe(ff.username);
    expect(turn.users.has(cr.username)).toBe(true);
    expect(firefox.has(CALL)).toBe(false);
  });
});

describe('where a Firefox call relay may listen', () => {
  it('a TURN server leaves loopback only with the list of own addresses, and only for one of them', () => {
    expect(() => new TurnServer({ host: '192.0.2.7' })).toThrow(/not a loopback address/);
    expect(() => new TurnServer({ host: '192.0.2.7', onlyFrom: new Set(['192.0.2.8']) })).toThrow(/not one of this machine's addresses/);
    expect(() => new TurnServer({ host: 'localhost', onlyFrom: new Set(['localhost']) })).toThrow(/not an IP address/);
    expect(new TurnServer({ host: '192.0.2.7', onlyFrom: new Set(['192.0.2.7']) }).host).toBe('192.0.2.7');
  });

  it("the default-route address, when there is one, is one of this machine's own and not loopback", async () => {
    const address = await defaultRouteAddress();
    if (address !== null) {
      expect(localAddresses()).toContain(address);
      expect(address).not.toMatch(/^127\./);
    }
  });
});
