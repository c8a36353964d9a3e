import { beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_SPLIT_PAYLOAD,
  decodeMediaDatagram,
  decodeMediaPiece,
  encodeMediaDatagram,
} from '../../../../native-host/node/calls/media-datagram';
import { MediaRelay } from '../../../../native-host/node/calls/media-relay';
import { FakeLink, FakeTurn } from '../../../../testkit/calls/fakes';

const CREDS = { user: 'abcdabcd-0011', password: 'pw', relayIp: '100.64.0.1', peerIp: '100.64.0.2' };

let clock: number;
let turn: FakeTurn;
let link: FakeLink;
let relay: MediaRelay;

beforeEach(() => {
  clock = 1000;
  turn = new FakeTurn();
  link = new FakeLink(Buffer.alloc(32, 1));
  relay = new MediaRelay(turn, CREDS, () => clock);
});

describe('MediaRelay', () => {
  it('registers nothing at the TURN server until the call is answered', () => {
    relay.attach(link);
    expect(relay.active).toBe(false);
    expect(turn.users.size).toBe(0);
    link.emit('datagram', encodeMediaDatagram(50000, 50001, Buffer.from('early')));
    expect(turn.delivered).toEqual([]);
  });

  it("start registers the credential with this side's virtual addresses and the payload cap (two pieces)", () => {
    relay.attach(link);
    relay.start();
    expect(relay.active).toBe(true);
    const user = turn.users.get(CREDS.user);
    expect(user?.password).toBe('pw');
    expect(user?.binding).toMatchObject({ relayIp: '100.64.0.1', peerIp: '100.64.0.2', maxPayload: MAX_SPLIT_PAYLOAD });
  });

  it('what the browser relays goes out as one media datagram on the link', () => {
    relay.attach(link);
    relay.start();
    const payload = Buffer.alloc(1200, 9);
    turn.users.get(CREDS.user)!.binding.send(49152, 49153, payload);
    expect(link.datagrams).toHaveLength(1);
    const d = decodeMediaDatagram(link.datagrams[0]!);
    expect(d.from).toBe(49152);
    expect(d.to).toBe(49153);
    expect(Buffer.from(d.payload).equals(payload)).toBe(true);
  });

  it('a payload over one datagram (a 1,408-byte DTLS flight) crosses in two pieces and arrives whole', () => {
    relay.attach(link);
    relay.start();
    const flight = Buffer.alloc(1408).map((_b, i) => i & 0xff);
    turn.users.get(CREDS.user)!.binding.send(49152, 49153, flight);
    turn.users.get(CREDS.user)!.binding.send(49152, 49153, Buffer.from('next'));
    expect(link.datagrams.slice(0, 2).map((d) => decodeMediaPiece(d).index)).toEqual([0, 1]);
    expect(decodeMediaDatagram(link.datagrams[2]!).payload).toEqual(Uint8Array.from(Buffer.from('next')));

    // The other side: pieces in reverse order, one of them twice, then the small one.
    const peerTurn = new FakeTurn();
    const peerLink = new FakeLink(Buffer.alloc(32, 2));
    const peer = new MediaRelay(peerTurn, { ...CREDS, relayIp: '100.64.0.2', peerIp: '100.64.0.1' }, () => clock);
    peer.attach(peerLink);
    peer.start();
    for (const i of [1, 1, 0, 2]) peerLink.emit('datagram', Buffer.from(link.datagrams[i]!));
    expect(peerTurn.delivered).toEqual([
      { user: CREDS.user, from: 49152, to: 49153, data: Uint8Array.from(flight) },
      { user: CREDS.user, from: 49152, to: 49153, data: Uint8Array.from(Buffer.from('next')) },
    ]);
  });

  it("what the peer sends is delivered to this call's credential, ports and payload intact", () => {
    relay.attach(link);
    relay.start();
    link.emit('datagram', encodeMediaDatagram(40000, 40001, Buffer.from('frame')));
    expect(turn.delivered).toEqual([{ user: CREDS.user, from: 40000, to: 40001, data: Uint8Array.from(Buffer.from('frame')) }]);
  });

  it('a malformed datagram is dropped alone: no delivery, no exception, the next one passes', () => {
    relay.attach(link);
    relay.start();
    expect(() => link.emit('datagram', Buffer.from([1, 2]))).not.toThrow();
    expect(() => link.emit('datagram', Buffer.from([7, 0, 1, 0, 2, 42]))).not.toThrow();
    expect(() => link.emit('datagram', encodeMediaDatagram(1, 1, Buffer.alloc(0)).fill(0, 1))).not.toThrow();
    expect(turn.delivered).toEqual([]);
    link.emit('datagram', encodeMediaDatagram(3, 4, Buffer.from('ok')));
    expect(turn.delivered.map((d) => d.from)).toEqual([3]);
  });

  it('any datagram is a sign of life, answered or not', () => {
    relay.attach(link);
    expect(relay.lastHeard).toBe(1000);
    clock = 4000;
    link.emit('datagram', Buffer.from([0]));
    expect(relay.lastHeard).toBe(4000);
  });

  it('stop removes the credential once and stops delivery', () => {
    relay.attach(link);
    relay.start();
    relay.stop();
    relay.stop();
    expect(turn.removed).toEqual([CREDS.user]);
    expect(relay.active).toBe(false);
    link.emit('datagram', encodeMediaDatagram(3, 4, Buffer.from('late')));
    expect(turn.delivered).toEqual([]);
  });

  it('stop before start asks nothing of the TURN server', () => {
    relay.stop();
    expect(turn.removed).toEqual([]);
  });

  it('detach leaves no listener on the link and sends nothing more on it', () => {
    relay.attach(link);
    relay.start();
    const send = turn.users.get(CREDS.user)!.binding.send;
    relay.detach();
    expect(link.listenerCount('datagram')).toBe(0);
    send(1, 2, Buffer.from('x'));
    expect(link.datagrams).toEqual([]);
  });

  it('attaching to a new link moves the one per-call listener and the outgoing path there', () => {
    const next = new FakeLink(Buffer.alloc(32, 1));
    relay.attach(link);
    const listener = link.listeners('datagram')[0];
    relay.attach(next);
    expect(link.listenerCount('datagram')).toBe(0);
    expect(next.listeners('datagram')).toEqual([listener]);
    relay.start();
    turn.users.get(CREDS.user)!.binding.send(1, 2, Buffer.from('x'));
    expect(link.datagrams).toHaveLength(0);
    expect(next.datagrams).toHaveLength(1);
  });

  it('the binding is the same object for every packet: no closure per packet', () => {
    relay.attach(link);
    relay.start();
    const binding = turn.users.get(CREDS.user)!.binding;
    relay.stop();
    relay.start();
    expect(turn.users.get(CREDS.user)!.binding).toBe(binding);
    for (let i = 0; i < 100; i++) binding.send(1, 2, Buffer.from([i]));
    expect(link.datagrams).toHaveLength(100);
    expect(link.listenerCount('datagram')).toBe(1);
  });
});
