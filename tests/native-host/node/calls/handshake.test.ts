import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PeerLink } from '../../../../native-host/node/network/backend';
import { type Ring, awaitRing } from '../../../../native-host/node/calls/handshake';
import { FakeLink } from '../../../../testkit/calls/fakes';

const RING: Ring = { type: 'ring', callId: 'ab'.repeat(16), name: 'alice', video: true, invitation: null };
const TIMEOUT = 10_000;

let link: FakeLink;
let logs: string[];
let rings: [PeerLink, Ring][];

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  link = new FakeLink(Buffer.alloc(32, 3));
  logs = [];
  rings = [];
  awaitRing(
    link,
    TIMEOUT,
    (l) => logs.push(l),
    (l, r) => rings.push([l, r]),
  );
});
afterEach(() => vi.useRealTimers());

describe('awaitRing', () => {
  it('hands a ring on with its link and lets go of the link', () => {
    link.receive(RING);
    expect(rings).toEqual([[link, RING]]);
    expect(link.listenerCount('message')).toBe(0);
    expect(link.listenerCount('close')).toBe(0);
    expect(link.closed).toBe(false);
    vi.advanceTimersByTime(TIMEOUT * 2);
    expect(link.closed).toBe(false);
    expect(logs).toEqual([]);
  });

  it('answers pings before the ring, and the ring still counts', () => {
    link.receive({ type: 'ping', seq: 1 });
    link.receive({ type: 'ping', seq: 2 });
    expect(link.sent).toEqual([
      { type: 'pong', seq: 1 },
      { type: 'pong', seq: 2 },
    ]);
    link.receive(RING);
    expect(rings).toHaveLength(1);
  });

  it('pings do not buy time: silence past the timeout closes the connection', () => {
    vi.advanceTimersByTime(TIMEOUT - 1);
    link.receive({ type: 'ping', seq: 1 });
    expect(link.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(link.closed).toBe(true);
    expect(logs).toEqual(['incoming connection said nothing; closed']);
    expect(rings).toEqual([]);
  });

  it('a first message other than ring closes the connection', () => {
    link.receive({ type: 'hangup', callId: RING.callId, reason: 'hangup' });
    expect(link.closed).toBe(true);
    expect(logs).toEqual(['incoming connection began with "hangup", not "ring"; closed']);
    expect(rings).toEqual([]);
    link.receive(RING);
    expect(rings).toEqual([]);
  });

  it('a connection that closes first is forgotten: no timeout later', () => {
    link.drop('gone');
    vi.advanceTimersByTime(TIMEOUT * 2);
    expect(logs).toEqual([]);
    expect(link.listenerCount('message')).toBe(0);
  });
});
