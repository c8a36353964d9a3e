import { describe, expect, it, vi } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import type { SignallingMessage } from '../../../../lib/protocol/signalling';
import { encodeMediaDatagram } from '../../../../native-host/node/calls/media-datagram';
import { FakeLink } from '../../../../testkit/calls/fakes';
import {
  CALL,
  PEER,
  T,
  THIRD,
  backend,
  calls,
  info,
  lively,
  ring,
  ringHere,
  states,
  turn,
  useFakeManager,
} from '../../../../testkit/calls/manager-harness';

// An answered call whose link is lost: it reconnects (the caller dials, the callee waits for
// its ring) and carries on, or ends as peer-lost once reconnectTimeout is over. Everything
// around the manager is faked.

const NOT_REESTABLISHED = 'the connection was lost and could not be re-established within 10 s';
useFakeManager();

const accepting = (m: SignallingMessage): SignallingMessage | null => (m.type === 'ring' ? { type: 'accept', callId: m.callId } : null);

// An outgoing call, answered at once.
async function activeOut(): Promise<{ callId: string; link: FakeLink }> {
  const link = lively(new FakeLink(PEER), accepting);
  backend.attempts.push({ link });
  const { callId } = calls.start(encodeNodeId(PEER));
  await vi.advanceTimersByTimeAsync(0);
  expect(info(callId).state).toBe('active');
  return { callId, link };
}

describe('the callee of an answered call whose link is lost', () => {
  it('waits, reporting the link lost, then moves the call onto the caller\'s new link: "accept", media again', async () => {
    const first = ringHere();
    calls.answer(CALL);
    const user = (await calls.turn(CALL, 'chromium')).username;
    first.drop('connection reset');
    expect(info(CALL).state).toBe('reconnecting');
    expect(backend.lost).toEqual([first]);
    // It does not dial; the TURN credential (and the browser's allocation) stays.
    expect(backend.connects).toEqual([]);
    expect(turn.users.has(user)).toBe(true);
    expect((await calls.turn(CALL, 'chromium')).username).toBe(user);
    // A signal our browser sends meanwhile waits for the new link.
    calls.signal(CALL, { kind: 'offer', sdp: 'v=0\r\n' });

    await vi.advanceTimersByTimeAsync(T.reconnectTimeout - 1000);
    const second = ringHere();
    expect(second.types()).toEqual(['accept', 'signal']);
    expect(info(CALL)).toMatchObject({ state: 'active', answeredAt: 1_000_000 });
    expect(states(CALL)).toEqual(['incoming', 'active', 'reconnecting', 'active']);
    second.emit('datagram', encodeMediaDatagram(7, 8, Buffer.from('media')));
    expect(turn.delivered.map((d) => d.user)).toEqual([user]);
    calls.signal(CALL, { kind: 'offer', sdp: 'v=0\r\n' });
    expect(second.sent.at(-1)).toMatchObject({ type: 'signal' });

    // The reconnect timer is off: the call lives on.
    await vi.advanceTimersByTimeAsync(T.reconnectTimeout * 2);
    expect(info(CALL).state).toBe('active');
  });

  it('a ring for the call while it is still active (the caller noticed first) drops the old link and moves the call', () => {
    const first = ringHere();
    calls.answer(CALL);
    const second = ringHere();
    expect(first.closed).toBe(true);
    expect(backend.lost).toEqual([first]);
    expect(second.types()).toEqual(['accept']);
    expect(states(CALL)).toEqual(['incoming', 'active', 'reconnecting', 'active']);
  });

  it('the reconnecting call skips the ring gate and the busy check, for its own caller only', () => {
    const first = ringHere();
    calls.answer(CALL);
    calls.setRingPolicy({ blocked: [], allowOnly: [] });
    first.drop('connection reset');
    // Someone else with the call's id is not the caller.
    const impostor = ringHere(THIRD);
    expect(impostor.types()).toEqual(['busy']);
    expect(info(CALL).state).toBe('reconnecting');
    const second = ringHere();
    expect(second.types()).toEqual(['accept']);
    expect(info(CALL).state).toBe('active');
  });

  it('ends as peer-lost when no ring comes within reconnectTimeout; a late ring then hears busy', async () => {
    const first = ringHere();
    calls.answer(CALL);
    first.drop('connection reset');
    await vi.advanceTimersByTimeAsync(T.reconnectTimeout - 1);
    expect(info(CALL).state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(info(CALL)).toMatchObject({ state: 'ended', reason: 'peer-lost', detail: NOT_REESTABLISHED, answeredAt: 1_000_000 });
    expect(turn.users.size).toBe(0);
    expect(ringHere().types()).toEqual(['busy']);
  });
});

describe('the caller of an answered call whose link is lost', () => {
  it('reports the link lost, dials again, rings the same call and is active again on the accept', async () => {
    const { callId, link } = await activeOut();
    const user = (await calls.turn(callId, 'chromium')).username;
    const again = lively(new FakeLink(PEER), accepting);
    backend.attempts.push({ link: again });
    link.drop('connection reset');
    expect(backend.lost).toEqual([link]);
    await vi.advanceTimersByTimeAsync(0);
    expect(backend.connects).toHaveLength(2);
    expect(again.sent[0]).toEqual({ type: 'ring', callId, name: null, video: true, invitation: null });
    expect(info(callId)).toMatchObject({ state: 'active', answeredAt: 1_000_000 });
    expect(states(callId)).toEqual(['dialing', 'active', 'reconnecting', 'active']);
    again.emit('datagram', encodeMediaDatagram(7, 8, Buffer.from('media')));
    expect(turn.delivered.map((d) => d.user)).toEqual([user]);
    // The ring timer of a call answered long ago never fires.
    await vi.advanceTimersByTimeAsync(T.ringTimeout * 2);
    expect(info(callId).state).toBe('active');
  });

  it('keeps dialling while the callee cannot be reached, then ends as peer-lost after reconnectTimeout', async () => {
    const { callId, link } = await activeOut();
    link.drop('connection reset');
    await vi.advanceTimersByTimeAsync(T.reconnectTimeout - 1);
    expect(info(callId).state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(info(callId)).toMatchObject({ state: 'ended', reason: 'peer-lost', detail: NOT_REESTABLISHED });
    expect(turn.users.size).toBe(0);
    // The dial stopped with the call.
    const tries = backend.connects.length;
    await vi.advanceTimersByTimeAsync(T.dialTimeout);
    expect(backend.connects).toHaveLength(tries);
  });

  it('a new link that carries no answer is replaced by the dialer within the reconnect time', async () => {
    const { callId, link } = await activeOut();
    const mute = new FakeLink(PEER);
    const good = lively(new FakeLink(PEER), accepting);
    backend.attempts.push({ link: mute }, { link: good });
    link.drop('connection reset');
    await vi.advanceTimersByTimeAsync(T.ringAckTimeout + 10);
    expect(mute.closed).toBe(true);
    expect(info(callId).state).toBe('active');
    expect(good.types()).toContain('ring');
  });

  it('a callee that no longer knows the call (its node restarted) rings it as new: the call ends, and so does that ring', async () => {
    const { callId, link } = await activeOut();
    const fresh = lively(new FakeLink(PEER), (m) => (m.type === 'ring' ? { type: 'ringing', callId: m.callId } : null));
    backend.attempts.push({ link: fresh });
    link.drop('connection reset');
    await vi.advanceTimersByTimeAsync(0);
    expect(info(callId)).toMatchObject({
      state: 'ended',
      reason: 'peer-lost',
      detail: 'the connection was lost and could not be re-established: the other side no longer has the call',
    });
    expect(fresh.types()).toEqual(['ring', 'hangup']);
    expect(fresh.sent.at(-1)).toEqual({ type: 'hangup', callId, reason: 'failed' });
    expect(fresh.closed).toBe(true);
  });

  it('silence on an active call (keep-alive) reconnects the same way', async () => {
    const { callId, link } = await activeOut();
    link.reply = null;
    backend.attempts.push({ link: lively(new FakeLink(PEER), accepting) });
    await vi.advanceTimersByTimeAsync(T.peerLostAfter + T.keepAliveInterval);
    expect(states(callId)).toEqual(['dialing', 'active', 'reconnecting', 'active']);
    expect(backend.lost).toEqual([link]);
  });
});

describe("the new link as the caller's node opens it", () => {
  it('pings before the ring are answered; the ring then brings the call back', () => {
    const first = ringHere();
    calls.answer(CALL);
    first.drop('connection reset');
    const second = new FakeLink(PEER);
    calls.accept(second);
    second.receive({ type: 'ping', seq: 1 });
    second.receive(ring());
    expect(second.types()).toEqual(['pong', 'accept']);
    expect(info(CALL).state).toBe('active');
  });
});
