import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHALLENGE_LIMITS, ChallengeLimiter } from '../../../../native-host/node/turn/challenge-limit';
import { encodeRequestedTransport } from '../../../../native-host/node/turn/stun/attributes';
import { ATTR, CLASS, METHOD } from '../../../../native-host/node/turn/stun/constants';
import { decodeErrorCode } from '../../../../native-host/node/turn/stun/error-code';
import { StunMessage } from '../../../../native-host/node/turn/stun/message';
import { StunWriter } from '../../../../native-host/node/turn/stun/writer';
import { Harness, PEER, RawClient } from '../../../../testkit/turn/harness';

const { perSource: PER_SOURCE, global: GLOBAL, windowMs: WINDOW } = CHALLENGE_LIMITS;

const request = (method: number): Buffer => {
  const w = new StunWriter(method, CLASS.REQUEST, randomBytes(12));
  if (method === METHOD.ALLOCATE) w.add(ATTR.REQUESTED_TRANSPORT, encodeRequestedTransport(17));
  return w.finish({ fingerprint: true });
};

describe('ChallengeLimiter', () => {
  it('allows perSource answers per source and window, then refuses until the next window', () => {
    const l = new ChallengeLimiter({ perSource: 3, global: 100, windowMs: 1000 });
    const answered = (source: string, t: number, n: number): number =>
      Array.from({ length: n }, () => l.allow(source, t)).filter(Boolean).length;
    expect(answered('127.0.0.1|5000', 0, 10)).toBe(3);
    expect(answered('127.0.0.1|5001', 999, 10)).toBe(3); // another port is another source
    expect(answered('127.0.0.1|5000', 999, 1)).toBe(0);
    expect(answered('127.0.0.1|5000', 1000, 10)).toBe(3);
  });

  it('refuses everyone beyond the global budget, however many sources share it', () => {
    const l = new ChallengeLimiter({ perSource: 3, global: 10, windowMs: 1000 });
    const allowed = Array.from({ length: 50 }, (_, i) => l.allow(`127.0.0.1|${i}`, 5)).filter(Boolean).length;
    expect(allowed).toBe(10);
    expect(l.allow('127.0.0.1|9999', 500)).toBe(false);
    expect(l.allow('127.0.0.1|9999', 1005)).toBe(true);
  });

  it('a clock that goes backwards starts a new window instead of silencing everyone', () => {
    const l = new ChallengeLimiter({ perSource: 1, global: 1, windowMs: 1000 });
    expect(l.allow('a', 10_000)).toBe(true);
    expect(l.allow('a', 10_001)).toBe(false);
    expect(l.allow('a', 5_000)).toBe(true);
  });

  it('refuses limits that are not positive integers, in words', () => {
    expect(() => new ChallengeLimiter({ perSource: 0, global: 1, windowMs: 1 })).toThrow(
      'challenge limit perSource must be a positive integer, got 0',
    );
    expect(() => new ChallengeLimiter({ perSource: 1, global: 1.5, windowMs: 1 })).toThrow(/global/);
  });
});

describe('unauthenticated requests on the TURN port', () => {
  let h: Harness;
  let flood: RawClient;
  const answers: StunMessage[] = [];
  beforeEach(async () => {
    h = await new Harness().start();
    h.addUser('alice', 'secret');
    flood = await RawClient.open(h.server.port);
    answers.length = 0;
    flood.socket.on('message', (m) => answers.push(StunMessage.decode(m)));
  });
  afterEach(async () => {
    await flood.close();
    await h.close();
  });

  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

  it('a flood of Binding requests gets no answer, while a client with an allocation gets its own', async () => {
    for (let i = 0; i < 500; i++) flood.send(request(METHOD.BINDING));
    const c = await h.client('alice', 'secret');
    await c.allocate();
    expect(await c.binding()).toEqual({ address: '127.0.0.1', port: c.localPort });
    await settle();
    expect(answers).toEqual([]);
  });

  it(`a flood of unauthenticated Allocates gets at most ${PER_SOURCE} 401s per ${WINDOW} ms, each with REALM and NONCE`, async () => {
    for (let i = 0; i < 300; i++) flood.send(request(METHOD.ALLOCATE));
    await settle();
    expect(answers).toHaveLength(PER_SOURCE);
    for (const a of answers) {
      expect(decodeErrorCode(a.get(ATTR.ERROR_CODE)!).code).toBe(401);
      expect(a.get(ATTR.NONCE)).toBeDefined();
    }
    h.advance(WINDOW);
    for (let i = 0; i < 300; i++) flood.send(request(METHOD.ALLOCATE));
    await settle();
    expect(answers).toHaveLength(2 * PER_SOURCE);
    expect(h.server.stats().dropped).toBe(600 - 2 * PER_SOURCE);
  });

  it('the call tab still allocates and relays while another socket floods Allocates and Bindings', async () => {
    let flooding = true;
    let sent = 0;
    const pump = (): void => {
      if (!flooding) return;
      for (let i = 0; i < 20; i++, sent++) flood.send(request(i % 2 === 0 ? METHOD.ALLOCATE : METHOD.BINDING));
      h.advance(5); // the flood spans several windows
      setImmediate(pump);
    };
    pump();
    try {
      const c = await h.client('alice', 'secret', 3000);
      const relayed = await c.allocate();
      await c.createPermission(PEER.address);
      expect(h.server.deliver('alice', PEER.port, relayed.port, Buffer.from('through'))).toBe(true);
      expect((await c.nextData()).data.toString()).toBe('through');
    } finally {
      flooding = false;
    }
    await settle();
    const windows = Math.ceil(((sent / 20) * 5) / WINDOW) + 1;
    expect(sent).toBeGreaterThan(0);
    expect(answers.length).toBeLessThanOrEqual(windows * PER_SOURCE);
    expect(answers.every((a) => a.method === METHOD.ALLOCATE)).toBe(true);
  });

  it(`over many source ports, at most ${GLOBAL} answers per window in all`, () => {
    const before = h.server.stats().dropped;
    for (let port = 20_000; port < 21_000; port++) h.server.handleDatagram(request(METHOD.ALLOCATE), '127.0.0.1', port);
    expect(h.server.stats().dropped - before).toBe(1000 - GLOBAL);
  });

  it('says nothing at all while no call credential is registered', async () => {
    h.server.removeUser('alice');
    for (let i = 0; i < 3; i++) flood.send(request(METHOD.ALLOCATE));
    flood.send(request(0x0bc));
    await settle();
    expect(answers).toEqual([]);
    expect(h.server.stats().dropped).toBe(4);
  });
});
