import { describe, expect, it, vi } from 'vitest';
import { CopybaraError } from '../../../../lib/errors';
import { encodeNodeId } from '../../../../lib/node-id';
import type { SignallingMessage } from '../../../../lib/protocol/signalling';
import { encodeMediaDatagram } from '../../../../native-host/node/calls/media-datagram';
import { safetyCode } from '../../../../native-host/node/calls/safety-code';
import { FakeLink } from '../../../../testkit/calls/fakes';
import {
  CALL,
  ME,
  PEER,
  T,
  THIRD,
  backend,
  calls,
  events,
  info,
  lively,
  logs,
  ringHere,
  states,
  turn,
  remakeManager,
  useFakeManager,
} from '../../../../testkit/calls/manager-harness';

// The manager with everything around it faked: no network, no TURN socket, a fake clock.

useFakeManager();

async function callOut(answer: (m: SignallingMessage) => SignallingMessage | null): Promise<{ callId: string; link: FakeLink }> {
  const link = lively(new FakeLink(PEER), answer);
  backend.attempts.push({ link });
  const { callId } = calls.start(encodeNodeId(PEER), 'alice.azero');
  await vi.advanceTimersByTimeAsync(0);
  return { callId, link };
}
const ringing = (m: SignallingMessage): SignallingMessage | null => (m.type === 'ring' ? { type: 'ringing', callId: m.callId } : null);

describe('a call to us', () => {
  it('rings, is answered, carries signals and media, and hangs up', async () => {
    const link = ringHere();
    expect(link.types()).toEqual(['ringing']);
    expect(states(CALL)).toEqual(['incoming']);
    expect(info(CALL)).toMatchObject({
      direction: 'incoming',
      peer: encodeNodeId(PEER),
      peerName: 'alice',
      safetyCode: safetyCode(ME, PEER),
    });
    await expect(calls.turn(CALL, 'chromium')).rejects.toThrow(/media is relayed only for an answered call/);

    expect(calls.answer(CALL).state).toBe('active');
    expect(link.types()).toEqual(['ringing', 'accept']);
    const t = await calls.turn(CALL, 'chromium');
    expect(t.urls).toEqual(['turn:127.0.0.1:3478?transport=udp']);
    expect(turn.users.get(t.username)?.password).toBe(t.credential);
    expect(turn.users.get(t.username)?.binding).toMatchObject({ relayIp: '100.64.0.2', peerIp: '100.64.0.1' });

    link.receive({ type: 'signal', callId: CALL, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    expect(events.at(-1)).toEqual({ event: 'signal', callId: CALL, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    calls.signal(CALL, { kind: 'answer', sdp: 'v=0\r\n' });
    expect(link.sent.at(-1)).toEqual({ type: 'signal', callId: CALL, signal: { kind: 'answer', sdp: 'v=0\r\n' } });
    link.emit('datagram', encodeMediaDatagram(7, 8, Buffer.from('media')));
    expect(turn.delivered.map((d) => d.user)).toEqual([t.username]);

    expect(calls.hangup(CALL)).toMatchObject({ state: 'ended', reason: 'hangup' });
    expect(link.sent.at(-1)).toEqual({ type: 'hangup', callId: CALL, reason: 'hangup' });
    expect(link.closed).toBe(true);
    expect(turn.removed).toEqual([t.username]);
    await expect(calls.turn(CALL, 'chromium')).rejects.toThrow(/CALL_NOT_ALLOWED/);
    expect(states(CALL)).toEqual(['incoming', 'active', 'ended']);
    expect(calls.live()).toBeNull();
  });

  it('a second caller hears busy and the first call rings on', () => {
    const first = ringHere();
    const second = ringHere(THIRD, 'cd'.repeat(16));
    expect(second.types()).toEqual(['busy']);
    expect(second.closed).toBe(true);
    // The same call id from a different key is not a redial.
    const impostor = ringHere(THIRD);
    expect(impostor.types()).toEqual(['busy']);
    expect(first.closed).toBe(false);
    expect(info(CALL).state).toBe('incoming');
    expect(calls.list()).toHaveLength(1);
  });

  it('a caller that redials the same call moves it onto the new connection', () => {
    const first = ringHere();
    const second = ringHere();
    expect(first.closed).toBe(true);
    expect(second.types()).toEqual(['ringing']);
    expect(info(CALL).state).toBe('incoming');
    expect(states(CALL)).toEqual(['incoming']);
    calls.answer(CALL);
    expect(second.types()).toEqual(['ringing', 'accept']);
    expect(first.types()).toEqual(['ringing']);
  });

  it('unanswered, it stops ringing after answerTimeout as missed and tells the caller', async () => {
    const link = ringHere();
    await vi.advanceTimersByTimeAsync(T.answerTimeout - 1);
    expect(info(CALL).state).toBe('incoming');
    await vi.advanceTimersByTimeAsync(1);
    expect(info(CALL)).toMatchObject({ state: 'ended', reason: 'missed' });
    expect(link.sent.at(-1)).toEqual({ type: 'hangup', callId: CALL, reason: 'no-answer' });
  });

  it('the caller vanishing mid-call ends it as peer-lost once the reconnect time is over', async () => {
    const link = ringHere();
    calls.answer(CALL);
    link.drop('connection reset');
    expect(info(CALL).state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(T.reconnectTimeout);
    expect(info(CALL)).toMatchObject({
      state: 'ended',
      reason: 'peer-lost',
      detail: 'the connection was lost and could not be re-established within 10 s',
    });
    expect(turn.users.size).toBe(0);
  });
});

describe('a call we place', () => {
  it('dials, rings, is answered and ended by the peer', async () => {
    const { callId, link } = await callOut(ringing);
    expect(link.sent[0]).toEqual({ type: 'ring', callId, name: 'alice.azero', video: true, invitation: null });
    expect(info(callId)).toMatchObject({ state: 'ringing', safetyCode: safetyCode(ME, PEER) });
    link.receive({ type: 'accept', callId });
    expect(info(callId).state).toBe('active');
    expect(turn.users.get((await calls.turn(callId, 'chromium')).username)?.binding).toMatchObject({
      relayIp: '100.64.0.1',
      peerIp: '100.64.0.2',
    });
    link.receive({ type: 'hangup', callId, reason: 'hangup' });
    expect(info(callId)).toMatchObject({ state: 'ended', reason: 'remote-hangup' });
    expect(states(callId)).toEqual(['dialing', 'ringing', 'active', 'ended']);
    expect(turn.users.size).toBe(0);
  });

  it('unanswered, it gives up after ringTimeout as no-answer and tells the callee', async () => {
    const { callId, link } = await callOut(ringing);
    await vi.advanceTimersByTimeAsync(T.ringTimeout);
    expect(info(callId)).toMatchObject({ state: 'ended', reason: 'no-answer' });
    expect(link.sent.at(-1)).toEqual({ type: 'hangup', callId, reason: 'no-answer' });
  });

  it('a call accepted at once (a call link) is not ended by the ring timer later', async () => {
    const { callId } = await callOut((m) => (m.type === 'ring' ? { type: 'accept', callId: m.callId } : null));
    expect(info(callId).state).toBe('active');
    await vi.advanceTimersByTimeAsync(T.ringTimeout * 2);
    expect(info(callId).state).toBe('active');
  });

  it('a silent peer is lost after activeSilenceAfter in an answered call; media alone keeps it alive', async () => {
    const { callId, link } = await callOut(ringing);
    link.receive({ type: 'accept', callId });
    link.reply = null;
    for (let i = 0; i < 20; i++) {
      await vi.advanceTimersByTimeAsync(500);
      link.emit('datagram', encodeMediaDatagram(7, 8, Buffer.from([i])));
    }
    expect(info(callId).state).toBe('active');
    await vi.advanceTimersByTimeAsync(T.activeSilenceAfter + T.keepAliveInterval);
    expect(info(callId).state).toBe('reconnecting');
    expect(logs).toContain(
      `call ${callId.slice(0, 8)} lost its connection (nothing heard for ${T.activeSilenceAfter / 1000} s); reconnecting for up to 10 s`,
    );
    expect(link.types().filter((t) => t === 'ping').length).toBeGreaterThan(10);
    expect(link.closed).toBe(true);
  });

  it('a peer nobody finds makes the call unreachable within the dial budget', async () => {
    const { callId } = calls.start(encodeNodeId(PEER));
    await vi.advanceTimersByTimeAsync(T.dialTimeout);
    expect(info(callId)).toMatchObject({ state: 'ended', reason: 'unreachable', detail: 'no answer from the network within 15 s' });
    expect(logs.at(-1)).toBe(`call ${callId.slice(0, 8)} ended: unreachable (no answer from the network within 15 s)`);
  });

  it('hanging up while dialling stops the dial', async () => {
    const { callId } = calls.start(encodeNodeId(PEER));
    await vi.advanceTimersByTimeAsync(100);
    calls.hangup(callId);
    await vi.advanceTimersByTimeAsync(T.dialTimeout);
    expect(states(callId)).toEqual(['dialing', 'ended']);
    expect(info(callId).reason).toBe('hangup');
    expect(backend.connects).toHaveLength(1);
  });

  it('busy and refusals from the callee end the call with their reasons', async () => {
    const busy = await callOut((m) => (m.type === 'ring' ? { type: 'busy', callId: m.callId } : null));
    expect(info(busy.callId)).toMatchObject({ state: 'ended', reason: 'busy' });
    const refused = await callOut((m) => (m.type === 'ring' ? { type: 'refuse', callId: m.callId, reason: 'link-expired' } : null));
    expect(info(refused.callId)).toMatchObject({
      state: 'ended',
      reason: 'refused',
      detail: 'this call link has expired; ask for a new one',
    });
  });
});

describe('the public API', () => {
  it('refuses what makes no sense with coded errors', async () => {
    expect(() => calls.start(encodeNodeId(ME))).toThrow(CopybaraError.SELF_CALL().message);
    expect(() => calls.answer(CALL)).toThrow(/UNKNOWN_CALL/);
    const { callId } = calls.start(encodeNodeId(PEER));
    expect(() => calls.start(encodeNodeId(THIRD))).toThrow(/BUSY/);
    expect(() => calls.answer(callId)).toThrow('CALL_NOT_ALLOWED: the call is dialing, not ringing');
    expect(() => calls.decline(callId)).toThrow('CALL_NOT_ALLOWED: the call is dialing, not ringing');
    expect(() => calls.signal(callId, { kind: 'offer', sdp: 'v=0\r\n' })).toThrow('CALL_NOT_ALLOWED: the call is not answered');
    expect(calls.live()?.state.info.callId).toBe(callId);
  });

  it('close hangs up every live call with the reason', () => {
    const link = ringHere();
    void calls.close();
    expect(info(CALL)).toMatchObject({ state: 'ended', reason: 'hangup', detail: 'the node is shutting down' });
    expect(link.sent.at(-1)).toEqual({ type: 'hangup', callId: CALL, reason: 'hangup' });
  });

  it('keeps only the last 20 ended calls', () => {
    // 25 rings from one key in no time: over the ring limits (ring-gate.ts) unless raised.
    remakeManager({ ringLimits: { perCaller: 25, global: 25 } });
    const ids = Array.from({ length: 25 }, (_, i) => i.toString(16).padStart(32, '0'));
    for (const id of ids) {
      ringHere(PEER, id);
      calls.decline(id);
    }
    expect(calls.list().map((c) => c.callId)).toEqual(ids.slice(5));
  });
});
