import { expect } from 'vitest';
import type { CallInfo } from '../../lib/protocol/native';
import type { SignallingMessage } from '../../lib/protocol/signalling';
import {
  type CallEvent,
  type Effect,
  type MachineState,
  type NewCall,
  type Step,
  dialOut,
  ringIn,
  transition,
} from '../../native-host/node/calls/call-machine';
import { DEFAULT_TIMING } from '../../native-host/node/calls/timing';

// Calls in every state, reached through the machine itself, and ways to read a step, for
// the call-machine tests.

export const ID = 'ab'.repeat(16);
export const OTHER = 'cd'.repeat(16);
export const CODE = '123 456 789 012';
export const T = DEFAULT_TIMING;
export const T0 = 1_000_000;

export function init(over: Partial<NewCall> = {}): NewCall {
  return { callId: ID, peer: 'peer-id', peerName: 'bob', claimedName: 'alice', invitation: null, timing: T, now: T0, ...over };
}

// Input states are frozen: the machine must build new ones, never change what it was given.
function freeze(s: MachineState): MachineState {
  Object.freeze(s.info);
  return Object.freeze(s);
}

export function run(s: MachineState, e: CallEvent, now = T0 + 10): Step {
  return transition(freeze(s), e, now);
}

export const msg = (m: SignallingMessage): CallEvent => ({ type: 'message', message: m });
export const types = (fx: Effect[]) =>
  fx.map((e) =>
    e.type === 'send' ? `send ${e.message.type}` : e.type === 'start-timer' || e.type === 'stop-timer' ? `${e.type} ${e.timer}` : e.type,
  );
export const emitted = (step: Step): CallInfo[] => step.effects.flatMap((e) => (e.type === 'emit' ? [e.call] : []));
export const sentOf = (step: Step): SignallingMessage[] => step.effects.flatMap((e) => (e.type === 'send' ? [e.message] : []));

// Every state a call can be in, reached through the machine itself.
export const out = {
  dialing: () => dialOut(init()).state,
  dialingLinked: () => run(out.dialing(), { type: 'linked', safetyCode: CODE }).state,
  ringing: () => run(out.dialingLinked(), msg({ type: 'ringing', callId: ID })).state,
  active: () => run(out.ringing(), msg({ type: 'accept', callId: ID })).state,
  // Answered at T0 + 10, its link lost at T0 + 20.
  reconnecting: () => run(out.active(), { type: 'link-closed', reason: 'connection reset' }, T0 + 20).state,
  // Reconnecting, on a new link that has not been answered yet.
  reconnectingLinked: () => run(out.reconnecting(), { type: 'linked', safetyCode: CODE }, T0 + 30).state,
  ended: () => run(out.active(), { type: 'hangup' }).state,
};
export const inc = {
  incoming: () => ringIn(init({ claimedName: null }), CODE, 'ring').state,
  active: () => run(inc.incoming(), { type: 'answer' }).state,
  reconnecting: () => run(inc.active(), { type: 'link-closed', reason: 'connection reset' }, T0 + 20).state,
  ended: () => run(inc.active(), { type: 'hangup' }).state,
};
export const ALL: [string, () => MachineState][] = [
  ['outgoing dialing', out.dialing],
  ['outgoing dialing on a link', out.dialingLinked],
  ['outgoing ringing', out.ringing],
  ['outgoing active', out.active],
  ['outgoing reconnecting', out.reconnecting],
  ['outgoing reconnecting on a link', out.reconnectingLinked],
  ['outgoing ended', out.ended],
  ['incoming', inc.incoming],
  ['incoming active', inc.active],
  ['incoming reconnecting', inc.reconnecting],
  ['incoming ended', inc.ended],
];
export const ENDED = ALL.filter(([name]) => name.endsWith('ended'));

export function expectUnchanged(step: Step, before: MachineState): void {
  expect(step.state).toBe(before);
  expect(step.effects).toEqual([]);
}
