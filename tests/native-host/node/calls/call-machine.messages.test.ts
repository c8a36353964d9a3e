import { describe, expect, it } from 'vitest';
import type { SignallingMessage } from '../../../../lib/protocol/signalling';
import { REFUSALS } from '../../../../native-host/node/calls/call-machine';
import { ALL, ENDED, ID, OTHER, T0, expectUnchanged, inc, msg, out, run, sentOf, types } from '../../../../testkit/calls/machine-states';

// What a call does with each message from the peer, in each state.

describe('messages from the peer', () => {
  it('"ringing" moves only a dialling outgoing call on', () => {
    const step = run(out.dialingLinked(), msg({ type: 'ringing', callId: ID }));
    expect(step.state.info.state).toBe('ringing');
    expect(types(step.effects)).toEqual(['emit']);
    // (A reconnecting caller hearing it: call-machine.test.ts, 'losing the link of an answered call'.)
    for (const [, make] of ALL.filter(([n]) => !n.startsWith('outgoing dialing') && !n.startsWith('outgoing reconnecting'))) {
      const s = make();
      expectUnchanged(run(s, msg({ type: 'ringing', callId: ID })), s);
    }
  });

  it('"accept" answers an outgoing call that is dialling or ringing; the ring timer stops, media starts', () => {
    for (const s of [out.dialingLinked(), out.ringing()]) {
      const step = run(s, msg({ type: 'accept', callId: ID }), T0 + 500);
      expect(types(step.effects)).toEqual(['stop-timer ring', 'start-media', 'emit']);
      expect(step.state.info).toMatchObject({ state: 'active', answeredAt: T0 + 500 });
    }
    for (const make of [out.active, out.ended, inc.incoming, inc.active, inc.ended]) {
      const s = make();
      expectUnchanged(run(s, msg({ type: 'accept', callId: ID })), s);
    }
  });

  it.each([
    ['decline', 'declined'],
    ['busy', 'busy'],
  ] as const)('"%s" ends a live outgoing call as %s; an incoming call ignores it', (type, reason) => {
    for (const make of [out.dialingLinked, out.ringing, out.active]) {
      const step = run(make(), msg({ type, callId: ID }));
      expect(step.state.info).toMatchObject({ state: 'ended', reason, detail: null });
      expect(sentOf(step)).toEqual([]);
      expect(step.effects).toContainEqual({ type: 'close-link' });
    }
    for (const make of [inc.incoming, inc.active, out.ended]) {
      const s = make();
      expectUnchanged(run(s, msg({ type, callId: ID })), s);
    }
  });

  it('"refuse" ends the call as refused with the reason in words', () => {
    for (const reason of ['link-used', 'link-expired', 'wrong-callee'] as const) {
      const step = run(out.dialingLinked(), msg({ type: 'refuse', callId: ID, reason }));
      expect(step.state.info).toMatchObject({ state: 'ended', reason: 'refused', detail: REFUSALS[reason] });
    }
    expect(REFUSALS['link-used']).toMatch(/already used/);
    expect(REFUSALS['wrong-callee']).toMatch(/someone else/);
    const s = inc.incoming();
    expectUnchanged(run(s, msg({ type: 'refuse', callId: ID, reason: 'link-used' })), s);
  });

  it.each([
    ['outgoing ringing', out.ringing, 'hangup', 'remote-hangup'],
    ['outgoing ringing', out.ringing, 'no-answer', 'no-answer'],
    ['outgoing active', out.active, 'hangup', 'remote-hangup'],
    ['outgoing active', out.active, 'failed', 'failed'],
    ['incoming', inc.incoming, 'hangup', 'missed'],
    ['incoming', inc.incoming, 'no-answer', 'missed'],
    ['incoming active', inc.active, 'no-answer', 'missed'],
    ['incoming active', inc.active, 'hangup', 'remote-hangup'],
  ] as const)('"hangup" from the peer on %s with reason %s ends as %s, nothing sent back', (_name, make, reason, expected) => {
    const step = run(make(), msg({ type: 'hangup', callId: ID, reason }));
    expect(step.state.info.reason).toBe(expected);
    expect(sentOf(step)).toEqual([]);
    if (make === out.active || make === inc.active) expect(step.effects).toContainEqual({ type: 'stop-media' });
  });

  it('an ended call ignores every message but answers no ping (its link is gone)', () => {
    const all: SignallingMessage[] = [
      { type: 'ringing', callId: ID },
      { type: 'accept', callId: ID },
      { type: 'decline', callId: ID },
      { type: 'busy', callId: ID },
      { type: 'hangup', callId: ID, reason: 'hangup' },
      { type: 'refuse', callId: ID, reason: 'link-used' },
      { type: 'ping', seq: 3 },
      { type: 'pong', seq: 3 },
    ];
    for (const [, make] of ENDED) {
      for (const m of all) {
        const s = make();
        expectUnchanged(run(s, msg(m)), s);
      }
    }
  });

  it('"signal" reaches the browser only on an answered call', () => {
    const signal = { kind: 'offer', sdp: 'v=0\r\n' } as const;
    for (const make of [out.active, inc.active]) {
      const s = make();
      const step = run(s, msg({ type: 'signal', callId: ID, signal }));
      expect(step.effects).toEqual([{ type: 'emit-signal', signal }]);
      expect(step.state).toBe(s);
    }
    for (const [state, make] of [
      ['ringing', out.ringing],
      ['incoming', inc.incoming],
      ['ended', out.ended],
    ] as const) {
      const step = run(make(), msg({ type: 'signal', callId: ID, signal }));
      expect(step.effects).toEqual([{ type: 'log', line: `signal for a call that is ${state} ignored` }]);
    }
  });

  it('pings are answered on the link with their number; pongs change nothing', () => {
    for (const make of [out.dialingLinked, out.ringing, out.active, inc.incoming, inc.active]) {
      const s = make();
      expect(run(s, msg({ type: 'ping', seq: 41 })).effects).toEqual([{ type: 'send', message: { type: 'pong', seq: 41 } }]);
      expectUnchanged(run(s, msg({ type: 'pong', seq: 41 })), s);
    }
  });

  it('messages for another call and second rings are logged and ignored', () => {
    for (const [, make] of ALL) {
      const s = make();
      const other = run(s, msg({ type: 'hangup', callId: OTHER, reason: 'hangup' }));
      expect(other.state).toBe(s);
      expect(other.effects).toEqual([{ type: 'log', line: 'signalling for another call (hangup) ignored' }]);
      const ring = run(s, msg({ type: 'ring', callId: ID, name: null, video: true, invitation: null }));
      expect(ring.effects).toEqual([{ type: 'log', line: 'a second ring on a connection ignored' }]);
    }
  });
});
