import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRequestedTransport } from '../../../../native-host/node/turn/stun/attributes';
import { ATTR, CLASS, METHOD } from '../../../../native-host/node/turn/stun/constants';
import { decodeErrorCode } from '../../../../native-host/node/turn/stun/error-code';
import { longTermKey, verifyIntegrity } from '../../../../native-host/node/turn/stun/integrity';
import { StunMessage } from '../../../../native-host/node/turn/stun/message';
import { StunWriter } from '../../../../native-host/node/turn/stun/writer';
import { rejectionCode, type TurnClient } from '../../../../testkit/turn-client';
import { Harness, PEER, RawClient, waitFor, type Sent } from '../../../../testkit/turn/harness';

const SECOND = 1000;

describe('lifetimes on the injected clock', () => {
  let h: Harness;
  let c: TurnClient;
  let sent: Sent[];
  let relayPort: number;
  beforeEach(async () => {
    h = await new Harness().start();
    sent = h.addUser('alice', 'secret');
    c = await h.client('alice', 'secret');
    relayPort = (await c.allocate()).port;
  });
  afterEach(() => h.close());

  it('an allocation expires after its LIFETIME unless refreshed', async () => {
    h.advance(599 * SECOND);
    expect(h.server.stats().allocations).toBe(1);
    expect(await c.refresh(1000)).toBe(1000);
    h.advance(999 * SECOND);
    expect(h.server.stats().allocations).toBe(1);
    h.advance(1 * SECOND);
    h.server.sweep();
    expect(h.server.stats().allocations).toBe(0);
    expect(await rejectionCode(c.refresh())).toBe(437);
  });

  it('Refresh with LIFETIME 0 deletes the allocation at once and frees its port', async () => {
    expect(await c.refresh(0)).toBe(0);
    expect(h.server.stats().allocations).toBe(0);
    expect(h.server.deliver('alice', 1, relayPort, Buffer.from('x'))).toBe(false);
    expect(await rejectionCode(c.createPermission(PEER.address))).toBe(437);
    // The 5-tuple is free again for a new Allocate.
    expect((await c.allocate()).port).not.toBe(relayPort);
  });

  it('permissions last 300 s; CreatePermission refreshes them', async () => {
    await c.createPermission(PEER.address);
    h.advance(299 * SECOND);
    expect(h.server.deliver('alice', 1, relayPort, Buffer.from('a'))).toBe(true);
    await c.createPermission(PEER.address);
    h.advance(299 * SECOND);
    expect(h.server.deliver('alice', 1, relayPort, Buffer.from('b'))).toBe(true);
    h.advance(1 * SECOND);
    expect(h.server.deliver('alice', 1, relayPort, Buffer.from('c'))).toBe(false);
    c.send(PEER, Buffer.from('d'));
    await waitFor(() => h.server.stats().dropped === 2, 'the Send drop');
    expect(sent).toEqual([]);
  });

  it('channels last 600 s; after that data falls back to Data indications', async () => {
    await c.refresh(3600);
    const channel = await c.channelBind(PEER);
    h.advance(290 * SECOND);
    await c.createPermission(PEER.address);
    h.advance(290 * SECOND);
    await c.createPermission(PEER.address);
    expect(h.server.deliver('alice', PEER.port, relayPort, Buffer.from('on channel'))).toBe(true);
    expect((await c.nextData()).channel).toBe(channel);
    h.advance(20 * SECOND); // 600 s since ChannelBind
    h.server.sweep();
    expect(h.server.deliver('alice', PEER.port, relayPort, Buffer.from('indication'))).toBe(true);
    expect((await c.nextData()).channel).toBeNull();
    c.sendChannel(PEER, Buffer.from('late'));
    await waitFor(() => h.server.stats().dropped === 1, 'the ChannelData drop');
    // Re-binding the same channel to the same peer works again.
    expect(await c.channelBind(PEER, channel)).toBe(channel);
  });

  it('441 when another username uses an allocated 5-tuple', async () => {
    h.addUser('bob', 'pw');
    const raw = await RawClient.open(h.server.port);
    try {
      const udp: [number, Buffer] = [ATTR.REQUESTED_TRANSPORT, encodeRequestedTransport(17)];
      const challenge = StunMessage.decode(
        await raw.exchange(new StunWriter(METHOD.ALLOCATE, CLASS.REQUEST, Buffer.alloc(12, 1)).add(...udp).finish()),
      );
      const nonce = challenge.get(ATTR.NONCE)!.toString();
      const signed = (method: number, user: string, pw: string, id: number, attrs: Array<[number, Buffer]>): Buffer => {
        const w = new StunWriter(method, CLASS.REQUEST, Buffer.alloc(12, id));
        for (const a of attrs) w.add(...a);
        w.add(ATTR.USERNAME, user).add(ATTR.REALM, 'copybara').add(ATTR.NONCE, nonce);
        return w.finish({ integrityKey: longTermKey(user, 'copybara', pw), fingerprint: true });
      };
      const ok = StunMessage.decode(await raw.exchange(signed(METHOD.ALLOCATE, 'alice', 'secret', 2, [udp])));
      expect(ok.cls).toBe(CLASS.SUCCESS);
      const res = StunMessage.decode(await raw.exchange(signed(METHOD.REFRESH, 'bob', 'pw', 3, [])));
      expect(decodeErrorCode(res.get(ATTR.ERROR_CODE)!).code).toBe(441);
      expect(verifyIntegrity(res, longTermKey('bob', 'copybara', 'pw'))).toBe(true);
    } finally {
      await raw.close();
    }
  });

  it('removeUser frees the allocations at once; later requests get 401, or nothing once no credential is left', async () => {
    await c.createPermission(PEER.address);
    h.addUser('bob', 'pw');
    h.server.removeUser('alice');
    expect(h.server.stats()).toMatchObject({ allocations: 0, users: 1 });
    expect(h.server.deliver('alice', 1, relayPort, Buffer.from('x'))).toBe(false);
    expect(await rejectionCode(c.refresh())).toBe(401);
    h.server.removeUser('bob');
    await expect(c.refresh()).rejects.toThrow(/timed out/);
    h.server.removeUser('alice'); // idempotent
  });

  it('addUser with an existing name replaces the credential and frees old allocations', async () => {
    h.addUser('alice', 'new password');
    expect(h.server.stats()).toMatchObject({ allocations: 0, users: 1 });
    expect(await rejectionCode(c.refresh())).toBe(401);
  });
});
