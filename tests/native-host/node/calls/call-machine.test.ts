import { describe, expect, it } from 'vitest';
import { type CallEvent, MAX_HELD_SIGNALS, type Step, dialOut, ringIn, transition } from '../../../../native-host/node/calls/call-machine';
import {
  ALL,
  CODE,
  ENDED,
  ID,
  T,
  T0,
  emitted,
  expectUnchanged,
  inc,
  init,
  msg,
  out,
  run,
  sentOf,
  types,
} from '../../../../testkit/calls/machine-states';

// How a call starts, and what the user, the timers, the link and the dialer do to it in each
// state (messages from the peer: call-machine.messages.test.ts). Input states are frozen, so
// a transition that changed its input would throw.

describe('starting a call', () => {
  it('an outgoing call shows as dialling and asks for a dial', () => {
    const step = dialOut(init());
    expect(step.state.info).toMatchObject({ callId: ID, direction: 'outgoing', state: 'dialing', safetyCode: null, createdAt: T0 });
    expect(step.state.linked).toBe(false);
    expect(types(step.effects)).toEqual(['emit', 'dial']);
  });

  it('an incoming ring answers "ringing", rings for answerTimeout and shows once, with the safety code', () => {
    const step = ringIn(init(), CODE, 'ring');
    expect(types(step.effects)).toEqual(['start-timer keep-alive', 'send ringing', 'start-timer answer', 'emit']);
    expect(step.effects).toContainEqual({ type: 'start-timer', timer: 'answer', ms: T.answerTimeout });
    expect(step.effects).toContainEqual({ type: 'start-timer', timer: 'keep-alive', ms: T.keepAliveInterval });
    expect(emitted(step)[0]).toMatchObject({ state: 'incoming', direction: 'incoming', safetyCode: CODE, viaLink: false, peerName: 'bob' });
    expect(step.state.linked).toBe(true);
  });

  it('a ring on our awaited link for anyone rings for the maker to confirm: not accepted, no media', () => {
    const step = ringIn(init({ invitation: '0123456789abcdef' }), CODE, 'confirm');
    expect(types(step.effects)).toEqual(['start-timer keep-alive', 'send ringing', 'start-timer answer', 'emit']);
    expect(emitted(step)[0]).toMatchObject({ state: 'incoming', viaLink: true, answeredAt: null, invitation: '0123456789abcdef' });
  });

  it('a ring on our awaited call link made for this caller is accepted at once, media started, without ringing', () => {
    const step = ringIn(init({ invitation: '0123456789abcdef' }), CODE, 'auto-accept');
    expect(types(step.effects)).toEqual(['start-timer keep-alive', 'send accept', 'stop-timer answer', 'start-media', 'emit']);
    expect(emitted(step)[0]).toMatchObject({ state: 'active', viaLink: true, answeredAt: T0, invitation: '0123456789abcdef' });
  });
});

describe('the dialer and the link', () => {
  it('a first link for a dialling call carries the ring, with the claimed name and the invitation', () => {
    const s = dialOut(init({ invitation: '0123456789abcdef' })).state;
    const step = run(s, { type: 'linked', safetyCode: CODE });
    expect(sentOf(step)).toEqual([{ type: 'ring', callId: ID, name: 'alice', video: true, invitation: '0123456789abcdef' }]);
    expect(step.state.linked).toBe(true);
    expect(step.state.info.safetyCode).toBe(CODE);
    expect(emitted(step)).toEqual([]);
  });

  it('a redial drops the old link (keep-alive stops) and rings again on the new one', () => {
    const dropped = run(out.dialingLinked(), { type: 'unlinked' });
    expect(types(dropped.effects)).toEqual(['stop-timer keep-alive']);
    expect(dropped.state.linked).toBe(false);
    expect(types(run(dropped.state, { type: 'linked', safetyCode: CODE }).effects)).toEqual(['start-timer keep-alive', 'send ring']);
    const unlinked = out.dialing();
    expectUnchanged(run(unlinked, { type: 'unlinked' }), unlinked);
  });

  it('an incoming call moved onto a new link says "ringing" there', () => {
    const s = run(inc.incoming(), { type: 'unlinked' }).state;
    expect(sentOf(run(s, { type: 'linked', safetyCode: CODE }))).toEqual([{ type: 'ringing', callId: ID }]);
  });

  it('a link that arrives for an ended call is closed', () => {
    for (const [, make] of ENDED) {
      const s = make();
      const step = run(s, { type: 'linked', safetyCode: CODE });
      expect(step.state).toBe(s);
      expect(step.effects).toEqual([{ type: 'close-link' }]);
    }
  });

  it('a heard ring starts the ring timer only while the call still waits for an answer', () => {
    for (const s of [out.dialingLinked(), out.ringing()]) {
      expect(run(s, { type: 'ring-heard' }).effects).toEqual([{ type: 'start-timer', timer: 'ring', ms: T.ringTimeout }]);
    }
    // The first word was "accept" (a call link) or the call ended: no timer to end it later.
    for (const [, make] of [['', out.active], ['', inc.incoming], ...ENDED] as const) {
      const s = make();
      expectUnchanged(run(s, { type: 'ring-heard' }), s);
    }
  });

  it('a failed dial ends the call as unreachable, with the reason', () => {
    const step = run(out.dialing(), { type: 'dial-failed', detail: 'no answer from the network within 15 s' });
    expect(step.state.info).toMatchObject({
      state: 'ended',
      reason: 'unreachable',
      detail: 'no answer from the network within 15 s',
      endedAt: T0 + 10,
    });
    expect(types(step.effects)).toEqual(['stop-dial', 'stop-timer ring', 'emit', 'log']);
    expect(step.effects.at(-1)).toEqual({
      type: 'log',
      line: `call ${ID.slice(0, 8)} ended: unreachable (no answer from the network within 15 s)`,
    });
  });

  it('a link that closes ends an unanswered call as peer-lost, without a word on it', () => {
    for (const [name, make] of ALL) {
      const s = make();
      const step = run(s, { type: 'link-closed', reason: 'connection reset' });
      // Answered calls reconnect instead (see 'losing the link of an answered call').
      if (name.endsWith('active') || name.includes('reconnecting')) continue;
      if (name.endsWith('ended')) expectUnchanged(step, s);
      else {
        expect(step.state.info).toMatchObject({ state: 'ended', reason: 'peer-lost', detail: 'connection reset' });
        expect(sentOf(step)).toEqual([]);
      }
    }
  });
});

describe('our user', () => {
  it('answer: accept, stop ringing, start media, show active', () => {
    const step = run(inc.incoming(), { type: 'answer' }, T0 + 3000);
    expect(types(step.effects)).toEqual(['send accept', 'stop-timer answer', 'start-media', 'emit']);
    expect(step.state.info).toMatchObject({ state: 'active', answeredAt: T0 + 3000 });
    expect(step.refused).toBeNull();
  });

  it('answer and decline are refused unless the call rings here', () => {
    for (const [, make] of ALL.filter(([n]) => n !== 'incoming')) {
      const s = make();
      for (const type of ['answer', 'decline'] as const) {
        const step = run(s, { type });
        expect(step.refused).toBe(`the call is ${s.info.state}, not ringing`);
        expectUnchanged(step, s);
      }
    }
  });

  it('decline (and hang-up while ringing here) tells the caller "decline"', () => {
    for (const type of ['decline', 'hangup'] as const) {
      const step = run(inc.incoming(), { type });
      expect(types(step.effects)).toEqual(['stop-timer answer', 'stop-timer keep-alive', 'send decline', 'close-link', 'emit', 'log']);
      expect(step.state.info).toMatchObject({ state: 'ended', reason: 'declined', detail: null });
      expect(step.state.linked).toBe(false);
    }
  });

  it('hang-up ends a live call as hangup and tells the peer, if there is a link to tell it on', () => {
    expect(types(run(out.dialing(), { type: 'hangup' }).effects)).toEqual(['stop-dial', 'stop-timer ring', 'emit', 'log']);
    expect(types(run(out.dialingLinked(), { type: 'hangup' }).effects)).toEqual([
      'stop-dial',
      'stop-timer ring',
      'stop-timer keep-alive',
      'send hangup',
      'close-link',
      'emit',
      'log',
    ]);
    const active = run(inc.active(), { type: 'hangup' });
    expect(types(active.effects)).toEqual([
      'stop-timer answer',
      'stop-timer keep-alive',
      'stop-media',
      'send hangup',
      'close-link',
      'emit',
      'log',
    ]);
    expect(sentOf(active)).toEqual([{ type: 'hangup', callId: ID, reason: 'hangup' }]);
    expect(active.state.info.reason).toBe('hangup');
  });

  it('hang-up of an ended call does nothing and is not an error', () => {
    for (const [, make] of ENDED) {
      const s = make();
      const step = run(s, { type: 'hangup' });
      expectUnchanged(step, s);
      expect(step.refused).toBeNull();
    }
  });

  it('our signals go out only on an answered call', () => {
    const signal = { kind: 'answer', sdp: 'v=0\r\n' } as const;
    expect(sentOf(run(out.active(), { type: 'send-signal', signal }))).toEqual([{ type: 'signal', callId: ID, signal }]);
    for (const make of [out.dialing, out.ringing, inc.incoming, out.ended]) {
      const s = make();
      const step = run(s, { type: 'send-signal', signal });
      expect(step.refused).toBe('the call is not answered');
      expectUnchanged(step, s);
    }
  });

  it('shutdown hangs up every live call, ringing ones included, with a reason', () => {
    for (const [name, make] of ALL) {
      const s = make();
      const step = run(s, { type: 'shutdown' });
      if (name.endsWith('ended')) expectUnchanged(step, s);
      else {
        expect(step.state.info).toMatchObject({ state: 'ended', reason: 'hangup', detail: 'the node is shutting down' });
        if (s.linked) expect(sentOf(step)).toEqual([{ type: 'hangup', callId: ID, reason: 'hangup' }]);
      }
    }
  });
});

describe('timers', () => {
  it('the ring timer ends an unanswered outgoing call as no-answer and tells the callee', () => {
    for (const make of [out.dialingLinked, out.ringing]) {
      const step = run(make(), { type: 'ring-timeout' });
      expect(step.state.info.reason).toBe('no-answer');
      expect(sentOf(step)).toEqual([{ type: 'hangup', callId: ID, reason: 'no-answer' }]);
    }
    for (const make of [out.active, out.ended, inc.incoming]) {
      const s = make();
      expectUnchanged(run(s, { type: 'ring-timeout' }), s);
    }
  });

  it('the answer timer ends a call ringing here as missed and tells the caller "no-answer"', () => {
    const step = run(inc.incoming(), { type: 'answer-timeout' });
    expect(step.state.info.reason).toBe('missed');
    expect(sentOf(step)).toEqual([{ type: 'hangup', callId: ID, reason: 'no-answer' }]);
    for (const make of [inc.active, inc.ended, out.ringing]) {
      const s = make();
      expectUnchanged(run(s, { type: 'answer-timeout' }), s);
    }
  });

  it('keep-alive pings with rising numbers while the peer is heard', () => {
    let s = out.active();
    const seqs: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const step = run(s, { type: 'keep-alive', lastHeard: T0 + i * 1000 }, T0 + i * 1000 + T.activeSilenceAfter);
      seqs.push(...sentOf(step).map((m) => (m.type === 'ping' ? m.seq : -1)));
      s = step.state;
    }
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('keep-alive ends an unanswered call as peer-lost after more than peerLostAfter of silence', () => {
    for (const make of [inc.incoming, out.dialingLinked, out.ringing]) {
      const step = run(make(), { type: 'keep-alive', lastHeard: T0 }, T0 + T.peerLostAfter + 1);
      expect(step.state.info).toMatchObject({ state: 'ended', reason: 'peer-lost', detail: 'nothing heard for 5 s' });
      expect(sentOf(step)).toEqual([]);
      expect(step.effects).toContainEqual({ type: 'close-link' });
    }
  });

  it('keep-alive does nothing without a link or after the end', () => {
    for (const make of [out.dialing, out.ended, inc.ended]) {
      const s = make();
      expectUnchanged(run(s, { type: 'keep-alive', lastHeard: 0 }, T0 + 60_000), s);
    }
  });
});

describe('losing the link of an answered call', () => {
  const RECONNECT_FX = ['stop-timer keep-alive', 'link-lost', 'start-timer reconnect'];

  it('a link that closes under an active call makes it reconnecting: media kept, the link reported lost, nothing sent', () => {
    for (const make of [out.active, inc.active]) {
      const s = make();
      const step = run(s, { type: 'link-closed', reason: 'connection reset' }, T0 + 20);
      expect(step.state.info).toMatchObject({ state: 'reconnecting', reason: null, answeredAt: s.info.answeredAt, endedAt: null });
      expect(step.state.linked).toBe(false);
      expect(step.state.reconnectBy).toBe(T0 + 20 + T.reconnectTimeout);
      expect(sentOf(step)).toEqual([]);
      expect(step.effects).toContainEqual({ type: 'start-timer', timer: 'reconnect', ms: T.reconnectTimeout });
      expect(types(step.effects)).not.toContain('stop-media');
      expect(types(step.effects)).not.toContain('close-link');
      expect(emitted(step).map((c) => c.state)).toEqual(['reconnecting']);
      expect(step.effects.at(-1)).toEqual({
        type: 'log',
        line: `call ${ID.slice(0, 8)} lost its connection (connection reset); reconnecting for up to 10 s`,
      });
    }
  });

  it('the caller dials again within the reconnect time; the callee only waits', () => {
    const caller = run(out.active(), { type: 'link-closed', reason: 'connection reset' });
    expect(types(caller.effects)).toEqual([...RECONNECT_FX, 'dial', 'emit', 'log']);
    expect(caller.effects).toContainEqual({ type: 'dial', budgetMs: T.reconnectTimeout });
    const callee = run(inc.active(), { type: 'link-closed', reason: 'connection reset' });
    expect(types(callee.effects)).toEqual([...RECONNECT_FX, 'emit', 'log']);
  });

  it('keep-alive silence under an active call makes it reconnecting too, after the shorter active-call silence', () => {
    for (const make of [out.active, inc.active]) {
      expect(run(make(), { type: 'keep-alive', lastHeard: T0 }, T0 + T.activeSilenceAfter).state.info.state).toBe('active');
      const step = run(make(), { type: 'keep-alive', lastHeard: T0 }, T0 + T.activeSilenceAfter + 1);
      expect(step.state.info.state).toBe('reconnecting');
      expect(step.effects).toContainEqual({ type: 'link-lost' });
      expect(step.effects.at(-1)).toMatchObject({
        type: 'log',
        line: expect.stringContaining(`(nothing heard for ${T.activeSilenceAfter / 1000} s)`),
      });
    }
  });

  it('the caller rings the same call on its new link and stays reconnecting until the callee accepts', () => {
    const linked = run(out.reconnecting(), { type: 'linked', safetyCode: CODE }, T0 + 30);
    expect(types(linked.effects)).toEqual(['start-timer keep-alive', 'send ring']);
    expect(sentOf(linked)).toEqual([{ type: 'ring', callId: ID, name: 'alice', video: true, invitation: null }]);
    expect(linked.state.info.state).toBe('reconnecting');
    const accepted = run(linked.state, msg({ type: 'accept', callId: ID }), T0 + 40);
    expect(types(accepted.effects)).toEqual(['stop-timer reconnect', 'emit']);
    expect(accepted.state.info).toMatchObject({ state: 'active', answeredAt: T0 + 10 });
    expect(accepted.state.reconnectBy).toBeNull();
  });

  it('the callee on the caller\'s new link is active again at once and sends "accept", answeredAt kept', () => {
    const step = run(inc.reconnecting(), { type: 'linked', safetyCode: CODE }, T0 + 30);
    expect(types(step.effects)).toEqual(['start-timer keep-alive', 'send accept', 'stop-timer reconnect', 'emit']);
    expect(sentOf(step)).toEqual([{ type: 'accept', callId: ID }]);
    expect(step.state.info).toMatchObject({ state: 'active', answeredAt: T0 + 10, safetyCode: CODE });
    expect(step.state.linked).toBe(true);
  });

  it('the reconnect timer ends it as peer-lost, saying it could not be re-established', () => {
    for (const make of [out.reconnecting, inc.reconnecting]) {
      const step = run(make(), { type: 'reconnect-timeout' }, T0 + 20 + T.reconnectTimeout);
      expect(step.state.info).toMatchObject({
        state: 'ended',
        reason: 'peer-lost',
        detail: 'the connection was lost and could not be re-established within 10 s',
      });
      expect(types(step.effects)).toContain('stop-media');
      expect(types(step.effects)).toContain('stop-timer reconnect');
      expect(sentOf(step)).toEqual([]);
    }
    // A caller's new link that never got its answer is told why it is closed.
    expect(sentOf(run(out.reconnectingLinked(), { type: 'reconnect-timeout' }))).toEqual([
      { type: 'hangup', callId: ID, reason: 'failed' },
    ]);
    // A late timer means nothing to a call that is back.
    const s = out.active();
    expectUnchanged(run(s, { type: 'reconnect-timeout' }), s);
  });

  it('hang-up while reconnecting ends it and tells nobody, there being no link', () => {
    const step = run(inc.reconnecting(), { type: 'hangup' });
    expect(types(step.effects)).toEqual(['stop-timer answer', 'stop-timer reconnect', 'stop-media', 'emit', 'log']);
    expect(step.state.info).toMatchObject({ state: 'ended', reason: 'hangup' });
    const caller = run(out.reconnecting(), { type: 'hangup' });
    expect(types(caller.effects)).toEqual(['stop-dial', 'stop-timer ring', 'stop-timer reconnect', 'stop-media', 'emit', 'log']);
  });

  it('a failed redial ends it as peer-lost: by the time it ran out, or sooner with its reason', () => {
    const s = out.reconnecting();
    const late = run(s, { type: 'dial-failed', detail: 'no answer from the network within 10 s', why: 'relay' }, s.reconnectBy!);
    expect(late.state.info).toMatchObject({
      reason: 'peer-lost',
      detail: 'the connection was lost and could not be re-established within 10 s',
    });
    const early = run(s, { type: 'dial-failed', detail: 'SERVER_ERROR: refused', why: 'refused' }, T0 + 100);
    expect(early.state.info).toMatchObject({
      reason: 'peer-lost',
      detail: 'the connection was lost and could not be re-established (SERVER_ERROR: refused)',
    });
  });

  it("a caller's new link that closes unanswered is dropped; the dialer tries another, the call waits on", () => {
    const step = run(out.reconnectingLinked(), { type: 'link-closed', reason: 'connection reset' });
    expect(types(step.effects)).toEqual(['stop-timer keep-alive']);
    expect(step.state.info.state).toBe('reconnecting');
    expect(step.state.linked).toBe(false);
  });

  it('"busy", "decline" or "ringing" on the new link: the callee no longer has the call', () => {
    for (const type of ['busy', 'decline', 'ringing'] as const) {
      const step = run(out.reconnectingLinked(), msg({ type, callId: ID }));
      expect(step.state.info).toMatchObject({
        state: 'ended',
        reason: 'peer-lost',
        detail: 'the connection was lost and could not be re-established: the other side no longer has the call',
      });
    }
    // "ringing": our ring started a new call there, which is ended at once.
    expect(sentOf(run(out.reconnectingLinked(), msg({ type: 'ringing', callId: ID })))).toEqual([
      { type: 'hangup', callId: ID, reason: 'failed' },
    ]);
  });

  it('signals sent while reconnecting are held, and sent on in order once the call is back', () => {
    const offer = { kind: 'offer', sdp: 'v=0\r\n' } as const;
    const candidate = {
      kind: 'candidate',
      candidate: 'candidate:1 1 udp 1 100.64.0.1 9 typ relay',
      sdpMid: '0',
      sdpMLineIndex: 0,
    } as const;
    let s = inc.reconnecting();
    for (const signal of [offer, candidate]) {
      const step = run(s, { type: 'send-signal', signal });
      expect(step.refused).toBeNull();
      expect(step.effects).toEqual([]);
      s = step.state;
    }
    const back = run(s, { type: 'linked', safetyCode: CODE });
    expect(sentOf(back)).toEqual([
      { type: 'accept', callId: ID },
      { type: 'signal', callId: ID, signal: offer },
      { type: 'signal', callId: ID, signal: candidate },
    ]);
    expect(back.state.held).toEqual([]);
    // The caller's go out after the callee's accept.
    const caller = run(out.reconnectingLinked(), { type: 'send-signal', signal: offer }).state;
    expect(sentOf(run(caller, msg({ type: 'accept', callId: ID })))).toEqual([{ type: 'signal', callId: ID, signal: offer }]);
    // Bounded: past MAX_HELD_SIGNALS the browser is told no.
    let full = inc.reconnecting();
    for (let i = 0; i < MAX_HELD_SIGNALS; i++) full = run(full, { type: 'send-signal', signal: offer }).state;
    expect(run(full, { type: 'send-signal', signal: offer }).refused).toBe('the call is reconnecting; its connection was lost');
    // An ended call forgets them.
    expect(run(s, { type: 'hangup' }).state.held).toEqual([]);
  });

  it("a silent new link is the dialer's business, not keep-alive's", () => {
    const s = inc.reconnecting();
    const linked = out.reconnectingLinked();
    const quiet = run(linked, { type: 'keep-alive', lastHeard: T0 }, T0 + 60_000);
    expect(quiet.state.info.state).toBe('reconnecting');
    expect(sentOf(quiet)).toEqual([{ type: 'ping', seq: 1 }]);
    expectUnchanged(run(s, { type: 'keep-alive', lastHeard: T0 }, T0 + 60_000), s);
  });

  it('shown to the browser: active, reconnecting, active again, then ended', () => {
    const steps: Step[] = [run(out.active(), { type: 'link-closed', reason: 'reset' }, T0 + 20)];
    const events: CallEvent[] = [{ type: 'linked', safetyCode: CODE }, msg({ type: 'accept', callId: ID }), { type: 'hangup' }];
    for (const e of events) steps.push(transition(steps.at(-1)!.state, e, T0 + 20 + steps.length));
    expect(steps.flatMap((st) => emitted(st).map((c) => c.state))).toEqual(['reconnecting', 'active', 'ended']);
    expect(steps.at(-1)!.state.info).toMatchObject({ reason: 'hangup', answeredAt: T0 + 10 });
  });
});

describe('a whole call', () => {
  it('dial, ring, answer, hang up: every change shown to the browser once, in order', () => {
    const shown: string[] = [];
    const steps: Step[] = [dialOut(init())];
    const events: CallEvent[] = [
      { type: 'linked', safetyCode: CODE },
      msg({ type: 'ringing', callId: ID }),
      { type: 'ring-heard' },
      msg({ type: 'accept', callId: ID }),
      { type: 'hangup' },
    ];
    for (const e of events) steps.push(transition(steps.at(-1)!.state, e, T0 + steps.length));
    for (const step of steps) shown.push(...emitted(step).map((c) => c.state));
    expect(shown).toEqual(['dialing', 'ringing', 'active', 'ended']);
    const last = steps.at(-1)!.state.info;
    expect(last).toMatchObject({ reason: 'hangup', answeredAt: T0 + 4, endedAt: T0 + 5, safetyCode: CODE });
  });
});
