import { describe, expect, it } from 'vitest';
import { type CallViewInput, callStatus, controlsFor, formatDuration } from '../../../lib/state/call-view';
import { BOB, callInfo } from '../../../testkit/ext/fixtures';

describe('formatDuration', () => {
  it.each([
    [0, '0:00'],
    [999, '0:00'],
    [5_000, '0:05'],
    [65_000, '1:05'],
    [754_000, '12:34'],
    [3_723_000, '1:02:03'],
    [-5, '0:00'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

function input(over: Partial<CallViewInput>): CallViewInput {
  return {
    call: null,
    failure: null,
    gone: null,
    host: { kind: 'ready' },
    answering: false,
    mediaConnected: false,
    connectedAt: null,
    now: 0,
    ...over,
  };
}

const short = `${BOB.slice(0, 4)}…${BOB.slice(-4)}`;
const VERIFIED = { status: 'verified', name: 'bob.azero', verifiedAt: 0, fromCache: false } as const;

describe('callStatus', () => {
  it('describes each state in words', () => {
    expect(callStatus(input({})).headline).toBe('Loading call…');
    expect(callStatus(input({ call: callInfo() })).headline).toBe(`Connecting to ${short}…`);
    expect(callStatus(input({ call: callInfo({ state: 'ringing' }) })).headline).toBe('Ringing…');
    const incoming = callInfo({ state: 'incoming', direction: 'incoming', peerName: 'bob.azero' });
    expect(callStatus(input({ call: incoming, verification: VERIFIED })).headline).toBe('Incoming call from bob.azero');
    // A claimed name is not shown as the caller's until it is verified.
    expect(callStatus(input({ call: incoming })).headline).toBe(`Incoming call from ${short}`);
    expect(
      callStatus(input({ call: incoming, verification: { status: 'mismatch', name: 'bob.azero', reason: 'other-node' } })).headline,
    ).toBe(`Incoming call from ${short}`);
    expect(callStatus(input({ call: callInfo({ state: 'incoming' }), answering: true })).headline).toBe('Answering…');
    expect(callStatus(input({ call: callInfo({ state: 'active' }) })).headline).toBe('Connecting media…');
  });

  it('a call answering our link for anyone says who answered and that nothing is shared before Connect', () => {
    const viaLink = callInfo({ state: 'incoming', direction: 'incoming', peerName: 'bob.azero', viaLink: true, invitation: 'aa' });
    const s = callStatus(input({ call: viaLink, verification: VERIFIED }));
    expect(s.headline).toBe('bob.azero answered your call link');
    expect(s.detail).toMatch(/Press Connect.*camera and microphone stay off/);
    // An unverified claim is not shown as theirs: the node id is.
    expect(callStatus(input({ call: viaLink })).headline).toBe(`${short} answered your call link`);
    expect(callStatus(input({ call: viaLink, answering: true })).headline).toBe('Connecting…');
    expect(controlsFor(viaLink, false)).toEqual({ answer: true, connect: true, hangup: false, media: false, close: false });
  });

  it('counts the call from the moment media connected', () => {
    const s = callStatus(input({ call: callInfo({ state: 'active' }), mediaConnected: true, connectedAt: 1000, now: 6400 }));
    expect(s).toEqual({ headline: 'In call 0:05', detail: null, tone: 'live', clock: '0:05' });
  });

  it('says in words that a call whose connection was lost is reconnecting, and keeps its controls', () => {
    const relayed = callInfo({ state: 'reconnecting', route: { relay: BOB } });
    const s = callStatus(input({ call: relayed, mediaConnected: true, connectedAt: 1000, now: 6400 }));
    expect(s).toEqual({
      headline: 'Connection lost — reconnecting through another relay…',
      detail: `The call with ${short} continues as soon as a new connection is found.`,
      tone: 'waiting',
    });
    expect(callStatus(input({ call: callInfo({ state: 'reconnecting', route: { relay: null } }) })).headline).toBe(
      'Connection lost — reconnecting…',
    );
    expect(controlsFor(relayed, false)).toEqual({ answer: false, connect: false, hangup: true, media: true, close: false });
  });

  it('says how a call ended', () => {
    const ended = (over: Parameters<typeof callInfo>[0]) =>
      callStatus(input({ call: callInfo({ state: 'ended', ...over }), verification: VERIFIED }));
    expect(ended({ reason: 'declined' })).toEqual({ headline: 'Call ended', detail: 'bob.azero declined the call', tone: 'ended' });
    expect(ended({ reason: 'hangup' }).detail).toBe('You hung up');
    expect(ended({ reason: 'unreachable' }).headline).toBe("Call failed: bob.azero's node is not reachable. They may be offline.");
    expect(ended({ reason: 'failed', detail: 'relay gone' }).headline).toBe('Call failed: Relay gone');
  });

  it('puts the page’s own failure first', () => {
    const s = callStatus(input({ call: callInfo({ state: 'ended', reason: 'hangup' }), failure: 'no microphone was found' }));
    expect(s.headline).toBe('Call failed: no microphone was found');
    expect(s.tone).toBe('failed');
  });

  it('explains a call the background does not know, and a missing host', () => {
    expect(callStatus(input({ gone: 'The Copybara node no longer knows this call.' }))).toEqual({
      headline: 'Call ended',
      detail: 'The Copybara node no longer knows this call.',
      tone: 'ended',
    });
    expect(callStatus(input({ gone: 'This call is open in another tab.', goneHeadline: 'Open in another tab' })).headline).toBe(
      'Open in another tab',
    );
    const missing = callStatus(input({ host: { kind: 'missing', detail: 'not found' } }));
    expect(missing.headline).toBe('The Copybara node is not installed for this browser');
    expect(missing.detail).toContain('npx copybara-host install');
  });
});

describe('controlsFor', () => {
  it('offers what fits the state', () => {
    expect(controlsFor(null, false)).toEqual({ answer: false, connect: false, hangup: false, media: false, close: false });
    expect(controlsFor(callInfo({ state: 'incoming' }), false)).toEqual({
      answer: true,
      connect: false,
      hangup: false,
      media: false,
      close: false,
    });
    expect(controlsFor(callInfo({ state: 'dialing' }), false)).toEqual({
      answer: false,
      connect: false,
      hangup: true,
      media: true,
      close: false,
    });
    expect(controlsFor(callInfo({ state: 'active' }), false).hangup).toBe(true);
    expect(controlsFor(callInfo({ state: 'ended' }), true)).toEqual({
      answer: false,
      connect: false,
      hangup: false,
      media: false,
      close: true,
    });
    expect(controlsFor(null, true).close).toBe(true);
  });
});
