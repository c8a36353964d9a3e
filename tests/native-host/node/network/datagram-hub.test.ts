import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DatagramHub } from '../../../../native-host/node/network/datagram-hub';

// Real UDP sockets on two loopback addresses; TCP sockets that are never connected stand in
// for links (the hub only reads their 'close' and emits 'message' on them).

const opened: UdpSocket[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
});

async function udp(address: string, port = 0): Promise<UdpSocket> {
  const s = createSocket('udp4');
  opened.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind({ address, port }, () => resolve());
  });
  return s;
}

function received(socket: Socket): Buffer[] {
  const got: Buffer[] = [];
  socket.on('message', (d: Buffer) => got.push(d));
  return got;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`waited 2 s for ${what}`);
}

describe('DatagramHub', () => {
  it('sends to the peer at the shared port, and gives each link with that peer its own copy', async () => {
    const ours = await udp('127.0.0.1');
    const port = ours.address().port;
    // The peer listens on the same port at its own address, as every node does.
    const peer = await udp('127.0.0.2', port);
    const hub = new DatagramHub(ours, port);
    const one = hub.attach(new Socket(), '127.0.0.2');
    const two = hub.attach(new Socket(), '127.0.0.2');
    const [got1, got2] = [received(one), received(two)];

    const atPeer: Buffer[] = [];
    peer.on('message', (d) => atPeer.push(d));
    one.trySend(Buffer.from('to the peer'));
    await until('the peer to get it', () => atPeer.length === 1);
    expect(atPeer[0]!.toString()).toBe('to the peer');

    peer.send(Buffer.from('to both links'), port, '127.0.0.1');
    await until('both links to get it', () => got1.length === 1 && got2.length === 1);
    expect(got1[0]!.toString()).toBe('to both links');
    // A link opens its datagram in place: the other's copy must not be the same memory.
    got1[0]!.fill(0);
    expect(got2[0]!.toString()).toBe('to both links');
    expect(hub.strays).toBe(0);
  });

  it('drops datagrams from other addresses, from another port, and for closed links', async () => {
    const ours = await udp('127.0.0.1');
    const port = ours.address().port;
    const hub = new DatagramHub(ours, port);
    const link = new Socket();
    const got = received(hub.attach(link, '127.0.0.2'));
    const stranger = await udp('127.0.0.3', port);
    const otherPort = await udp('127.0.0.2');
    stranger.send(Buffer.from('x'), port, '127.0.0.1');
    otherPort.send(Buffer.from('y'), port, '127.0.0.1');
    await until('two strays', () => hub.strays === 2);
    link.destroy();
    await new Promise((r) => setImmediate(r));
    const peer = await udp('127.0.0.2', port);
    peer.send(Buffer.from('z'), port, '127.0.0.1');
    await until('a third stray', () => hub.strays === 3);
    expect(got).toEqual([]);
  });
});
