import { createSocket } from 'node:dgram';
import { describe, expect, it, vi } from 'vitest';
import { AllocationManager, PORT_MAX, PORT_MIN } from '../../../../native-host/node/turn/allocation-manager';
import { RateLimitedLog } from '../../../../native-host/node/turn/log';
import { NonceBook, NONCE_LIFETIME_MS } from '../../../../native-host/node/turn/nonce';
import { SWEEP_INTERVAL_MS, TurnServer, type TurnBinding } from '../../../../native-host/node/turn/server';
import { makeUser } from '../../../../native-host/node/turn/user';
import { Harness, PEER, waitFor } from '../../../../testkit/turn/harness';

// Some CI containers have no IPv6 at all; the ::1 test only makes sense where it exists.
const hasIPv6Loopback = await new Promise<boolean>((resolve) => {
  const probe = createSocket('udp6');
  probe.once('error', () => resolve(false));
  probe.bind(0, '::1', () => probe.close(() => resolve(true)));
});

const binding = (over: Partial<TurnBinding> = {}): TurnBinding => ({
  relayIp: '100.64.0.1',
  peerIp: '100.64.0.2',
  maxPayload: 1200,
  send: () => {},
  ...over,
});

describe('TurnServer API', () => {
  it('only binds loopback addresses and valid ports', () => {
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'localhost', '']) {
      expect(() => new TurnServer({ host })).toThrow(TypeError);
    }
    expect(() => new TurnServer({ port: 70000 })).toThrow(TypeError);
    expect(() => new TurnServer({ host: '127.0.0.2' })).not.toThrow();
    expect(() => new TurnServer({ host: '::1' })).not.toThrow();
  });

  it('listen() is memoised, port is the bound port, close() is idempotent', async () => {
    const s = new TurnServer();
    expect(s.port).toBe(0);
    const p = s.listen();
    expect(s.listen()).toBe(p);
    const port = await p;
    expect(port).toBeGreaterThan(0);
    expect(s.port).toBe(port);
    const closing = s.close();
    expect(s.close()).toBe(closing);
    await closing;
    await expect(s.listen()).resolves.toBe(port); // the memoised promise
    await expect(new TurnServer().close()).resolves.toBeUndefined();
    const fresh = new TurnServer();
    await fresh.close();
    await expect(fresh.listen()).rejects.toThrow(/closed/);
  });

  it("runs one unref'd sweep timer while listening, sweeping periodically, cleared by close()", async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const s = new TurnServer();
      expect(vi.getTimerCount()).toBe(0);
      await s.listen();
      expect(vi.getTimerCount()).toBe(1);
      const sweep = vi.spyOn(s, 'sweep');
      vi.advanceTimersByTime(SWEEP_INTERVAL_MS * 3);
      expect(sweep).toHaveBeenCalledTimes(3);
      await s.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('listen() rejects when the port is taken', async () => {
    const a = new TurnServer();
    const port = await a.listen();
    const b = new TurnServer({ port });
    await expect(b.listen()).rejects.toThrow();
    await b.close();
    await a.close();
  });

  it.skipIf(!hasIPv6Loopback)('works on ::1 too', async () => {
    const h = new TurnServer({ host: '::1' });
    await h.listen();
    h.addUser('u', 'p', binding());
    const { TurnClient } = await import('../../../../testkit/turn-client');
    const c = await TurnClient.connect({ host: '::1', port: h.port, username: 'u', password: 'p', timeoutMs: 1000 });
    expect(await c.allocate()).toEqual({ address: '100.64.0.1', port: PORT_MIN });
    expect(c.mapped).toEqual({ address: '::1', port: c.localPort });
    await c.close();
    await h.close();
  });

  it('addUser validates the binding', () => {
    const s = new TurnServer();
    expect(() => s.addUser('', 'p', binding())).toThrow(TypeError);
    expect(() => s.addUser('x'.repeat(513), 'p', binding())).toThrow(TypeError);
    expect(() => s.addUser('u', 'p', binding({ relayIp: '::1' }))).toThrow(TypeError);
    expect(() => s.addUser('u', 'p', binding({ peerIp: '1.2.3' }))).toThrow(TypeError);
    expect(() => s.addUser('u', 'p', binding({ maxPayload: -1 }))).toThrow(TypeError);
    expect(s.stats().users).toBe(0);
  });

  it('contains a throwing binding.send() to the one datagram', async () => {
    const h = await new Harness().start();
    h.server.addUser(
      'alice',
      'secret',
      binding({
        send: () => {
          throw new Error('overlay down');
        },
      }),
    );
    const c = await h.client('alice', 'secret');
    await c.allocate();
    await c.createPermission(PEER.address);
    c.send(PEER, Buffer.from('x'));
    await waitFor(() => h.server.stats().dropped === 1, 'the contained error');
    expect(h.logs.some((l) => l.includes('overlay down'))).toBe(true);
    expect(await c.refresh()).toBe(600); // still serving
    await h.close();
  });
});

describe('relayed ports', () => {
  const user = makeUser('u', 'p', 'r', binding());
  const client = (port: number) => ({ address: '127.0.0.1', port, family: 4 as const });

  it('are allocated from 49152 upwards, unique, wrapping and skipping ports in use', () => {
    const m = new AllocationManager();
    const a = m.create(client(1), user, 1000, 0)!;
    const b = m.create(client(2), user, 1000, 0)!;
    expect([a.relayPort, b.relayPort]).toEqual([PORT_MIN, PORT_MIN + 1]);
    for (let p = PORT_MIN + 2; p <= PORT_MAX; p++) m.create(client(p), user, 1000, 0);
    expect(m.size).toBe(PORT_MAX - PORT_MIN + 1);
    expect(m.create(client(3), user, 1000, 0)).toBeNull();
    m.remove(b);
    expect(m.create(client(4), user, 1000, 0)!.relayPort).toBe(PORT_MIN + 1);
    m.clear();
    expect(user.allocations.size).toBe(0);
  });

  it('EVEN-PORT picks the next even free port; expired allocations are swept', () => {
    const m = new AllocationManager();
    m.create(client(1), user, 1000, 0);
    expect(m.create(client(2), user, 1000, 0, true)!.relayPort).toBe(PORT_MIN + 2);
    expect(m.find('127.0.0.1', 1, 999)).toBeDefined();
    expect(m.find('127.0.0.1', 1, 1000)).toBeUndefined();
    m.sweep(1000);
    expect(m.size).toBe(0);
  });
});

describe('nonces and logging', () => {
  it('nonces are bound to the client address and expire', () => {
    let t = 5_000;
    const book = new NonceBook(() => t);
    const a = { address: '127.0.0.1', port: 1, family: 4 as const };
    const nonce = book.issue(a);
    expect(book.isValid(nonce, a)).toBe(true);
    expect(book.isValid(nonce, { ...a, port: 2 })).toBe(false);
    expect(book.isValid(nonce.slice(0, -1) + (nonce.endsWith('0') ? '1' : '0'), a)).toBe(false);
    expect(book.isValid('garbage', a)).toBe(false);
    t += NONCE_LIFETIME_MS - 1;
    expect(book.isValid(nonce, a)).toBe(true);
    t += 1;
    expect(book.isValid(nonce, a)).toBe(false);
    expect(new NonceBook(() => t).isValid(book.issue(a), a)).toBe(false); // other server secret
  });

  it('rate-limits repeated lines per class and reports what it suppressed', () => {
    let t = 0;
    const lines: string[] = [];
    const log = new RateLimitedLog(
      (l) => lines.push(l),
      () => t,
      1000,
    );
    for (let i = 0; i < 50; i++) log.line('a', `a${i}`);
    log.line('b', 'b0');
    t = 1000;
    log.line('a', 'a-late');
    expect(lines).toEqual(['a0', 'b0', 'a-late (49 similar suppressed)']);
    new RateLimitedLog(
      () => {
        throw new Error('sink');
      },
      () => 0,
    ).line('x', 'y'); // must not throw
  });

  it('garbage from many datagrams produces one log line per class', async () => {
    const h = await new Harness().start();
    for (let i = 0; i < 200; i++) h.server.handleDatagram(Buffer.from([0xff, i]), '127.0.0.1', 9);
    for (let i = 0; i < 200; i++) h.server.handleDatagram(Buffer.alloc(24, 0), '127.0.0.1', 9);
    expect(h.server.stats().dropped).toBe(400);
    expect(h.logs).toHaveLength(2);
    await h.close();
  });
});
