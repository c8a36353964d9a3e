import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeChannelNumber } from '../../../../native-host/node/turn/stun/attributes';
import { ATTR, CLASS, METHOD } from '../../../../native-host/node/turn/stun/constants';
import { encodeXorAddress } from '../../../../native-host/node/turn/stun/xor-address';
import { encodeChannelData } from '../../../../native-host/node/turn/wire/channel-data';
import { encodeSendIndication } from '../../../../native-host/node/turn/wire/indication';
import { StunWriter } from '../../../../native-host/node/turn/stun/writer';
import { rejectionCode, type TurnClient } from '../../../../testkit/turn-client';
import { Harness, PEER, waitFor, type Sent } from '../../../../testkit/turn/harness';

const peerAttr = (address: string, port: number): [number, (tid: Buffer) => Buffer] => [
  ATTR.XOR_PEER_ADDRESS,
  (tid) => encodeXorAddress({ family: address.includes(':') ? 6 : 4, address, port }, tid),
];

describe('permissions, channels and the data path', () => {
  let h: Harness;
  let c: TurnClient;
  let sent: Sent[];
  let relayPort: number;
  beforeEach(async () => {
    h = await new Harness().start();
    sent = h.addUser('alice', 'secret', { maxPayload: 1200 });
    c = await h.client('alice', 'secret');
    relayPort = (await c.allocate()).port;
  });
  afterEach(() => h.close());

  it('CreatePermission: only the binding peer IP (403 otherwise, all-or-nothing), 443 for IPv6, 400 for none', async () => {
    expect(await rejectionCode(c.createPermission('100.64.0.9'))).toBe(403);
    expect(await rejectionCode(c.createPermission('100.64.0.2', '100.64.0.9'))).toBe(403);
    expect(h.server.deliver('alice', 50000, relayPort, Buffer.from('x'))).toBe(false);
    expect(await rejectionCode(c.request(METHOD.CREATE_PERMISSION, [peerAttr('2001:db8::2', 1)]))).toBe(443);
    expect(await rejectionCode(c.request(METHOD.CREATE_PERMISSION, []))).toBe(400);
    expect(await rejectionCode(c.request(METHOD.CREATE_PERMISSION, [[ATTR.XOR_PEER_ADDRESS, Buffer.alloc(5)]]))).toBe(400);
    await c.createPermission('100.64.0.2', '100.64.0.2');
    expect(h.server.deliver('alice', 50000, relayPort, Buffer.from('x'))).toBe(true);
  });

  it('Send indication: dropped without a permission, relayed with one', async () => {
    c.send(PEER, Buffer.from('early'));
    await waitFor(() => h.server.stats().dropped === 1, 'the drop');
    expect(sent).toEqual([]);
    await c.createPermission(PEER.address);
    c.send(PEER, Buffer.from('hello'));
    c.send({ address: '100.64.0.9', port: 1 }, Buffer.from('elsewhere'));
    await waitFor(() => sent.length === 1 && h.server.stats().dropped === 2, 'the relay');
    expect(sent[0]).toEqual({ fromPort: relayPort, toPort: 50000, data: Buffer.from('hello') });
    expect(h.server.stats().relayedToPeer).toBe(1);
  });

  it('Data indication to the client while no channel is bound, ChannelData once one is', async () => {
    expect(h.server.deliver('alice', 50000, relayPort, Buffer.from('no permission'))).toBe(false);
    await c.createPermission(PEER.address);
    expect(h.server.deliver('alice', 50000, relayPort, Buffer.from('one'))).toBe(true);
    expect(await c.nextData()).toEqual({ peer: PEER, data: Buffer.from('one'), channel: null });
    const channel = await c.channelBind(PEER);
    expect(h.server.deliver('alice', 50000, relayPort, Buffer.from('two'))).toBe(true);
    expect(await c.nextData()).toEqual({ peer: PEER, data: Buffer.from('two'), channel });
    // Another port of the same peer has no channel: Data indication.
    expect(h.server.deliver('alice', 50001, relayPort, Buffer.from('three'))).toBe(true);
    expect(await c.nextData()).toEqual({ peer: { ...PEER, port: 50001 }, data: Buffer.from('three'), channel: null });
    expect(h.server.stats().relayedToClient).toBe(3);
  });

  it('deliver with headroom frames ChannelData in the lent bytes (no copy), and copies otherwise', async () => {
    await c.createPermission(PEER.address);
    // 5 lent bytes in front of the payload, as a media datagram's header would be.
    const frame = () => Buffer.concat([Buffer.from([1, 2, 3, 4, 5]), Buffer.from('payload')]);
    const noChannel = frame();
    expect(h.server.deliver('alice', PEER.port, relayPort, noChannel.subarray(5), 5)).toBe(true);
    expect(await c.nextData()).toEqual({ peer: PEER, data: Buffer.from('payload'), channel: null });
    // A Data indication cannot fit in 5 bytes: built elsewhere, the lent bytes untouched.
    expect([...noChannel.subarray(0, 5)]).toEqual([1, 2, 3, 4, 5]);

    const channel = await c.channelBind(PEER);
    const lent = frame();
    expect(h.server.deliver('alice', PEER.port, relayPort, lent.subarray(5), 5)).toBe(true);
    expect(await c.nextData()).toEqual({ peer: PEER, data: Buffer.from('payload'), channel });
    // The header went into the 4 bytes right before the payload: proof nothing was copied.
    expect([...lent.subarray(0, 5)]).toEqual([1, channel >>> 8, channel & 0xff, 0, 7]);

    const notLent = frame();
    expect(h.server.deliver('alice', PEER.port, relayPort, notLent.subarray(5))).toBe(true);
    expect(await c.nextData()).toEqual({ peer: PEER, data: Buffer.from('payload'), channel });
    expect([...notLent.subarray(0, 5)]).toEqual([1, 2, 3, 4, 5]);
    // Headroom claimed where the ArrayBuffer has none: ignored, copied.
    const atStart = new Uint8Array([0x61, 0x62]);
    expect(h.server.deliver('alice', PEER.port, relayPort, atStart, 5)).toBe(true);
    expect(await c.nextData()).toEqual({ peer: PEER, data: Buffer.from('ab'), channel });
    expect(h.server.stats().relayedToClient).toBe(4);
  });

  it('deliver refuses unknown users, foreign allocations, bad ports', async () => {
    h.addUser('bob', 'pw');
    await c.createPermission(PEER.address);
    expect(h.server.deliver('bob', 50000, relayPort, Buffer.from('x'))).toBe(false);
    expect(h.server.deliver('nobody', 50000, relayPort, Buffer.from('x'))).toBe(false);
    expect(h.server.deliver('alice', 50000, relayPort + 1, Buffer.from('x'))).toBe(false);
    expect(h.server.deliver('alice', 0, relayPort, Buffer.from('x'))).toBe(false);
    expect(h.server.deliver('alice', 70000, relayPort, Buffer.from('x'))).toBe(false);
    expect(h.server.stats().dropped).toBe(5);
  });

  it('ChannelBind then ChannelData, padded or not; unbound channels dropped', async () => {
    const channel = await c.channelBind(PEER);
    expect(channel).toBe(0x4000);
    c.sendChannel(PEER, Buffer.from('abc'));
    c.sendChannel(PEER, Buffer.from('defgh'), { pad: true });
    c.sendRaw(encodeChannelData(0x4001, Buffer.from('unbound')));
    await waitFor(() => sent.length === 2 && h.server.stats().dropped === 1, 'two relays and a drop');
    expect(sent.map((s) => s.data.toString())).toEqual(['abc', 'defgh']);
    expect(sent.every((s) => s.fromPort === relayPort && s.toPort === 50000)).toBe(true);
  });

  it('ChannelBind rules (RFC 5766 §11.2)', async () => {
    const bind = (ch: number, address: string, port: number): Promise<number> =>
      rejectionCode(c.request(METHOD.CHANNEL_BIND, [[ATTR.CHANNEL_NUMBER, encodeChannelNumber(ch)], peerAttr(address, port)]));
    expect(await bind(0x3fff, PEER.address, 1)).toBe(400);
    expect(await bind(0x8000, PEER.address, 1)).toBe(400);
    expect(await bind(0x4000, '100.64.0.9', 1)).toBe(403);
    expect(await bind(0x4000, PEER.address, 0)).toBe(400);
    expect(await bind(0x4000, PEER.address, 1)).toBe(0);
    expect(await bind(0x4000, PEER.address, 1)).toBe(0); // refresh of the same binding
    expect(await bind(0x4000, PEER.address, 2)).toBe(400); // channel bound elsewhere
    expect(await bind(0x4001, PEER.address, 1)).toBe(400); // peer bound to another channel
    expect(await bind(0x7fff, PEER.address, 2)).toBe(0);
    expect(await rejectionCode(c.request(METHOD.CHANNEL_BIND, [[ATTR.CHANNEL_NUMBER, encodeChannelNumber(0x4002)]]))).toBe(400);
    // ChannelBind also installs the permission (RFC 5766 §11.2).
    expect(h.server.deliver('alice', 1, relayPort, Buffer.from('x'))).toBe(true);
  });

  it('oversize payloads are dropped both ways, counted each time, logged once per allocation', async () => {
    await c.channelBind(PEER);
    const big = Buffer.alloc(1201);
    c.send(PEER, big);
    c.sendChannel(PEER, big);
    c.sendChannel(PEER, Buffer.alloc(1200));
    await waitFor(() => sent.length === 1 && h.server.stats().dropped === 2, 'one relay, two drops');
    expect(h.server.deliver('alice', PEER.port, relayPort, big)).toBe(false);
    expect(h.server.stats().dropped).toBe(3);
    expect(h.logs.filter((l) => l.includes('maxPayload'))).toHaveLength(1);
  });

  it('Send indications with unknown comprehension-required attributes or without DATA are dropped', async () => {
    await c.createPermission(PEER.address);
    const odd = new StunWriter(METHOD.SEND, CLASS.INDICATION, Buffer.alloc(12, 7));
    odd.add(ATTR.XOR_PEER_ADDRESS, encodeXorAddress({ family: 4, ...PEER }, Buffer.alloc(12, 7)));
    odd.add(ATTR.DATA, 'x').add(0x7777, 'y');
    c.sendRaw(odd.finish());
    const noData = new StunWriter(METHOD.SEND, CLASS.INDICATION, Buffer.alloc(12, 8));
    noData.add(ATTR.XOR_PEER_ADDRESS, encodeXorAddress({ family: 4, ...PEER }, Buffer.alloc(12, 8)));
    c.sendRaw(noData.finish());
    c.sendRaw(encodeSendIndication(Buffer.from([100, 64, 0, 2]), 0, Buffer.from('port 0')));
    c.sendRaw(encodeSendIndication(Buffer.alloc(16), 5, Buffer.from('ipv6')));
    await waitFor(() => h.server.stats().dropped === 4, 'four drops');
    expect(sent).toEqual([]);
  });

  it('a Data indication from a client, or any response, is dropped', async () => {
    c.sendRaw(new StunWriter(METHOD.DATA, CLASS.INDICATION, Buffer.alloc(12)).finish());
    c.sendRaw(new StunWriter(METHOD.BINDING, CLASS.SUCCESS, Buffer.alloc(12)).finish());
    await waitFor(() => h.server.stats().dropped === 2, 'two drops');
  });
});
