import { describe, expect, it } from 'vitest';
import { type CallEvent, type Step, dialOut, ringIn, transition } from '../../../../native-host/node/calls/call-machine';
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

  it('a link that closes ends a live call as peer-lost, without a word on it', () => {
    for (const [name, make] of ALL) {
      const s = make();
      const step = run(s, { type: 'link-closed', reason: 'connection reset' });
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
      const step = run(s, { type: 'keep-alive', lastHeard: T0 + i * 1000 }, T0 + i * 1000 + T.peerLostAfter);
      seqs.push(...sentOf(step).map((m) => (m.type === 'ping' ? m.seq : -1)));
      s = step.state;
    }
    expect(seqs).toEqual([1, 2, 3]);
  });

  it('keep-alive ends the call as peer-lost after more than peerLostAfter of silence', () => {
    const step = run(inc.active(), { type: 'keep-alive', lastHeard: T0 }, T0 + T.peerLostAfter + 1);
    expect(step.state.info).toMatchObject({ state: 'ended', reason: 'peer-lost', detail: 'nothing heard for 5 s' });
    expect(sentOf(step)).toEqual([]);
    expect(step.effects).toContainEqual({ type: 'close-link' });
  });

  it('keep-alive does nothing without a link or after the end', () => {
    for (const make of [out.dialing, out.ended, inc.ended]) {
      const s = make();
      expectUnchanged(run(s, { type: 'keep-alive', lastHeard: 0 }, T0 + 60_000), s);
    }
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
