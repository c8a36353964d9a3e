import type { CallInfo, EndReason } from '../../../lib/protocol/native';
import type { Signal } from '../../../lib/protocol/signal';
import type { RefuseReason, SignallingMessage } from '../../../lib/protocol/signalling';
import { remoteHangupReason } from './call';
import type { UnreachableWhy } from '../network/connect-failure';
import type { Timing } from './timing';

// Everything that can happen to one call, decided in one place: `transition` takes the
// call's state, what happened and the time, and returns the next state with the effects
// the caller must carry out, in order. It starts no timer and touches no link, so every
// path through a call can be tested without a network or a clock.
//
//   outgoing: dialing → ringing → active ⇄ reconnecting → ended
//   incoming: incoming → active ⇄ reconnecting → ended
//
// Any live state can end; an ended call ignores everything.
//
// An answered call whose link closes or goes silent is not over: it is 'reconnecting' for up
// to `reconnectTimeout`. The caller dials again and rings the same call id on the new link;
// the callee only waits for that ring (call-manager.ts moves the call onto its link) and
// answers it with "accept". The browsers' WebRTC talks only to their own node's TURN server,
// so once the call has a link again media simply resumes on it.

export interface MachineState {
  readonly info: Readonly<CallInfo>;
  // When a reconnecting call gives up (null unless reconnecting).
  readonly reconnectBy: number | null;
  // Signals our browser sent while the call was reconnecting, sent on once it is back (in order:
  // the tab may still be negotiating, and a lost offer or answer would leave it without media).
  readonly held: readonly Signal[];
  // The name our ring claims (outgoing calls only).
  readonly claimedName: string | null;
  // Whether the call holds a link; keep-alive runs exactly while it does.
  readonly linked: boolean;
  readonly pingSeq: number;
  readonly timing: Timing;
}

export type TimerName = 'ring' | 'answer' | 'keep-alive' | 'reconnect';

export type CallEvent =
  // From our browser.
  | { type: 'answer' }
  | { type: 'decline' }
  | { type: 'hangup' }
  | { type: 'send-signal'; signal: Signal }
  | { type: 'shutdown' }
  // From the peer, on the call's link.
  | { type: 'message'; message: SignallingMessage }
  // Timers. `lastHeard`: the last time anything (message or datagram) came from the peer.
  | { type: 'ring-timeout' }
  | { type: 'answer-timeout' }
  | { type: 'reconnect-timeout' }
  | { type: 'keep-alive'; lastHeard: number }
  // The link and the dialer.
  | { type: 'linked'; safetyCode: string }
  | { type: 'unlinked' }
  | { type: 'link-closed'; reason: string }
  | { type: 'ring-heard' }
  | { type: 'dial-failed'; detail: string; why?: UnreachableWhy };

export type Effect =
  | { type: 'send'; message: SignallingMessage }
  | { type: 'emit'; call: CallInfo }
  | { type: 'emit-signal'; signal: Signal }
  | { type: 'start-timer'; timer: TimerName; ms: number }
  | { type: 'stop-timer'; timer: TimerName }
  // `budgetMs`: how long the dialer may look (its full dial timeout when absent).
  | { type: 'dial'; budgetMs?: number }
  | { type: 'stop-dial' }
  | { type: 'start-media' }
  | { type: 'stop-media' }
  | { type: 'close-link' }
  // The link failed under an answered call: the network is told (it may blame the relay that
  // carried it), then the link is closed.
  | { type: 'link-lost' }
  | { type: 'log'; line: string };

export interface Step {
  state: MachineState;
  effects: Effect[];
  // Set when the event is not allowed in this state (a user action only): why, for the
  // error the user sees. The state is then unchanged and there are no effects.
  refused: string | null;
}

export const REFUSALS: Record<RefuseReason, string> = {
  'link-used': 'this call link was already used; ask for a new one',
  'link-expired': 'this call link has expired; ask for a new one',
  'wrong-callee': 'this call link was made for someone else',
};

// How a call that never reached its peer ends, by why it did not.
export const DIAL_FAILURE_REASONS: Readonly<Record<UnreachableWhy, EndReason>> = {
  offline: 'unreachable',
  unknown: 'unreachable',
  'no-relay': 'no-relay',
  nat: 'nat',
  relay: 'relay-failed',
  refused: 'refused',
};

export const SHUTDOWN_DETAIL = 'the node is shutting down';

// Signals held while reconnecting, at most: a whole negotiation is a few dozen at most.
export const MAX_HELD_SIGNALS = 64;

export interface NewCall {
  callId: string;
  peer: string;
  peerName: string | null;
  claimedName: string | null;
  invitation: string | null;
  timing: Timing;
  now: number;
}

export function isLiveState(s: MachineState): boolean {
  return s.info.state !== 'ended';
}

function initial(init: NewCall, direction: CallInfo['direction']): MachineState {
  return {
    info: {
      callId: init.callId,
      direction,
      peer: init.peer,
      peerName: init.peerName,
      state: direction === 'outgoing' ? 'dialing' : 'incoming',
      reason: null,
      detail: null,
      safetyCode: null,
      createdAt: init.now,
      answeredAt: null,
      endedAt: null,
      invitation: init.invitation,
      viaLink: false,
    },
    claimedName: init.claimedName,
    reconnectBy: null,
    held: [],
    linked: false,
    pingSeq: 0,
    timing: init.timing,
  };
}

// A call we place: the browser sees it dialling while the dialer looks for the peer.
export function dialOut(init: NewCall): Step {
  const s = initial(init, 'outgoing');
  return ok(s, [emit(s), { type: 'dial' }]);
}

// How an incoming call arrives: it rings as any call; it presented our call link while our
// tab waits for it (`confirm`: shown in that tab, still not answered until the maker
// confirms who answered, since anyone holding the link can present it); or it presented a
// link made for exactly this caller (`auto-accept`: answered without ringing).
export type Arrival = 'ring' | 'confirm' | 'auto-accept';

// A call that rang on `safetyCode`'s link.
export function ringIn(init: NewCall, safetyCode: string, arrival: Arrival): Step {
  const base = initial(init, 'incoming');
  const s: MachineState = { ...base, linked: true, info: { ...base.info, safetyCode, viaLink: arrival !== 'ring' } };
  const fx: Effect[] = [{ type: 'start-timer', timer: 'keep-alive', ms: s.timing.keepAliveInterval }];
  if (arrival === 'auto-accept') {
    fx.push(send({ type: 'accept', callId: s.info.callId }));
    return activate(s, fx, init.now);
  }
  fx.push(send({ type: 'ringing', callId: s.info.callId }));
  fx.push({ type: 'start-timer', timer: 'answer', ms: s.timing.answerTimeout });
  fx.push(emit(s));
  return ok(s, fx);
}

export function transition(s: MachineState, e: CallEvent, now: number): Step {
  const { state, direction, callId } = s.info;
  const live = state !== 'ended';
  switch (e.type) {
    case 'answer':
      if (state !== 'incoming') return refuse(s, `the call is ${state}, not ringing`);
      return activate(s, [send({ type: 'accept', callId })], now);
    case 'decline':
      if (state !== 'incoming') return refuse(s, `the call is ${state}, not ringing`);
      return end(s, 'declined', null, { type: 'decline', callId }, now);
    case 'hangup':
      if (state === 'incoming') return end(s, 'declined', null, { type: 'decline', callId }, now);
      return end(s, 'hangup', null, { type: 'hangup', callId, reason: 'hangup' }, now);
    case 'send-signal':
      if (state === 'reconnecting') {
        if (s.held.length >= MAX_HELD_SIGNALS) return refuse(s, 'the call is reconnecting; its connection was lost');
        return ok({ ...s, held: [...s.held, e.signal] }, []);
      }
      if (state !== 'active') return refuse(s, 'the call is not answered');
      return ok(s, [send({ type: 'signal', callId, signal: e.signal })]);
    case 'shutdown':
      return end(s, 'hangup', SHUTDOWN_DETAIL, { type: 'hangup', callId, reason: 'hangup' }, now);
    case 'message':
      return received(s, e.message, now);
    case 'ring-timeout':
      // A ring timer that outlived its state (the call was answered meanwhile) means nothing.
      if (state !== 'dialing' && state !== 'ringing') return ok(s, []);
      return end(s, 'no-answer', null, { type: 'hangup', callId, reason: 'no-answer' }, now);
    case 'answer-timeout':
      if (state !== 'incoming') return ok(s, []);
      return end(s, 'missed', null, { type: 'hangup', callId, reason: 'no-answer' }, now);
    case 'reconnect-timeout':
      if (state !== 'reconnecting') return ok(s, []);
      return end(s, 'peer-lost', notReestablished(s), { type: 'hangup', callId, reason: 'failed' }, now);
    case 'keep-alive': {
      if (!live || !s.linked) return ok(s, []);
      const quiet = state === 'active' ? s.timing.activeSilenceAfter : s.timing.peerLostAfter;
      // A reconnecting caller's new link that stays silent is the dialer's to replace.
      if (now - e.lastHeard > quiet && state !== 'reconnecting') {
        const why = `nothing heard for ${quiet / 1000} s`;
        if (state === 'active') return reconnect(s, why, now);
        return end(s, 'peer-lost', why, null, now);
      }
      const next = { ...s, pingSeq: s.pingSeq + 1 };
      return ok(next, [send({ type: 'ping', seq: next.pingSeq })]);
    }
    case 'linked': {
      // An ended call has nothing to say on a link that arrives late; let it go.
      if (!live) return ok(s, [{ type: 'close-link' }]);
      const next: MachineState = { ...s, linked: true, info: { ...s.info, safetyCode: e.safetyCode } };
      const fx: Effect[] = [{ type: 'start-timer', timer: 'keep-alive', ms: s.timing.keepAliveInterval }];
      if (direction === 'outgoing' && (state === 'dialing' || state === 'reconnecting')) {
        // Reconnecting, the same ring again: the callee knows the call by its id and answers
        // "accept", which brings the call back (see received()).
        fx.push(send({ type: 'ring', callId, name: s.claimedName, video: true, invitation: s.info.invitation }));
      } else if (state === 'incoming') {
        // The caller redialled this call because its earlier link carried nothing back.
        fx.push(send({ type: 'ringing', callId }));
      } else if (state === 'reconnecting') {
        // The caller's ring for this call on a new link: the call is back, and says so.
        fx.push(send({ type: 'accept', callId }));
        return resume(next, fx);
      }
      return ok(next, fx);
    }
    case 'unlinked':
      if (!s.linked) return ok(s, []);
      return ok({ ...s, linked: false }, [{ type: 'stop-timer', timer: 'keep-alive' }]);
    case 'link-closed':
      if (state === 'active') return reconnect(s, e.reason, now);
      // A reconnecting caller's new link that closed: the dialer is already trying another.
      if (state === 'reconnecting') return ok({ ...s, linked: false }, s.linked ? [{ type: 'stop-timer', timer: 'keep-alive' }] : []);
      return end(s, 'peer-lost', e.reason, null, now);
    case 'ring-heard':
      // Heard is not answered: the first word may already have been "accept" or "busy".
      if (direction !== 'outgoing' || (state !== 'dialing' && state !== 'ringing')) return ok(s, []);
      return ok(s, [{ type: 'start-timer', timer: 'ring', ms: s.timing.ringTimeout }]);
    case 'dial-failed':
      if (state === 'reconnecting') {
        // The dialer looks for as long as the reconnect timer runs, so running out of time is
        // what that timer would have said; anything else failed sooner and says why.
        const detail = now >= (s.reconnectBy ?? now) ? notReestablished(s) : `${notReestablished(s, false)} (${e.detail})`;
        return end(s, 'peer-lost', detail, null, now);
      }
      return end(s, DIAL_FAILURE_REASONS[e.why ?? 'unknown'], e.detail, null, now);
  }
}

function received(s: MachineState, m: SignallingMessage, now: number): Step {
  if (m.type === 'ping') return ok(s, s.linked ? [send({ type: 'pong', seq: m.seq })] : []);
  if (m.type === 'pong') return ok(s, []);
  const { state, direction, callId } = s.info;
  if (m.callId !== callId) return ok(s, [log(`signalling for another call (${m.type}) ignored`)]);
  const outgoing = direction === 'outgoing';
  const live = state !== 'ended';
  switch (m.type) {
    case 'ringing':
      if (outgoing && state === 'dialing') return to(s, { state: 'ringing' });
      // The callee rings our ring as a new call: its node no longer knows this one (restarted).
      if (outgoing && state === 'reconnecting')
        return end(s, 'peer-lost', noLongerThere(s), { type: 'hangup', callId, reason: 'failed' }, now);
      return ok(s, []);
    case 'accept':
      if (outgoing && (state === 'dialing' || state === 'ringing')) return activate(s, [], now);
      if (outgoing && state === 'reconnecting') return resume(s, []);
      return ok(s, []);
    case 'decline':
    case 'busy':
    case 'refuse':
      // Answers to a ring. Reconnecting, they mean the callee no longer has the call.
      if (!outgoing || !live) return ok(s, []);
      if (state === 'reconnecting') return end(s, 'peer-lost', noLongerThere(s), null, now);
      if (m.type === 'decline') return end(s, 'declined', null, null, now);
      if (m.type === 'busy') return end(s, 'busy', null, null, now);
      return end(s, 'refused', REFUSALS[m.reason], null, now);
    case 'hangup':
      return live ? end(s, remoteHangupReason(s.info, m.reason), null, null, now) : ok(s, []);
    case 'signal':
      if (state === 'active' || state === 'reconnecting') return ok(s, [{ type: 'emit-signal', signal: m.signal }]);
      return ok(s, [log(`signal for a call that is ${state} ignored`)]);
    case 'ring':
      return ok(s, [log('a second ring on a connection ignored')]);
  }
}

function activate(s: MachineState, fx: Effect[], now: number): Step {
  fx.push({ type: 'stop-timer', timer: s.info.direction === 'outgoing' ? 'ring' : 'answer' });
  fx.push({ type: 'start-media' });
  return to(s, { state: 'active', answeredAt: now }, fx);
}

// An answered call lost its link (`why`: how it was noticed): it keeps its media and waits for
// a new link; the caller dials for one.
function reconnect(s: MachineState, why: string, now: number): Step {
  const ms = s.timing.reconnectTimeout;
  const fx: Effect[] = [
    { type: 'stop-timer', timer: 'keep-alive' },
    { type: 'link-lost' },
    { type: 'start-timer', timer: 'reconnect', ms },
  ];
  if (s.info.direction === 'outgoing') fx.push({ type: 'dial', budgetMs: ms });
  const step = to({ ...s, linked: false, reconnectBy: now + ms }, { state: 'reconnecting' }, fx);
  step.effects.push(log(`call ${s.info.callId.slice(0, 8)} lost its connection (${why}); reconnecting for up to ${ms / 1000} s`));
  return step;
}

// A reconnecting call on its new link again: answered as it was (`answeredAt` kept).
function resume(s: MachineState, fx: Effect[]): Step {
  for (const signal of s.held) fx.push(send({ type: 'signal', callId: s.info.callId, signal }));
  fx.push({ type: 'stop-timer', timer: 'reconnect' });
  return to({ ...s, reconnectBy: null, held: [] }, { state: 'active' }, fx);
}

function noLongerThere(s: MachineState): string {
  return `${notReestablished(s, false)}: the other side no longer has the call`;
}

function notReestablished(s: MachineState, withTime = true): string {
  const base = 'the connection was lost and could not be re-established';
  return withTime ? `${base} within ${s.timing.reconnectTimeout / 1000} s` : base;
}

// `notify`: what the peer is told, if we still have a link to tell it on.
function end(s: MachineState, reason: EndReason, detail: string | null, notify: SignallingMessage | null, now: number): Step {
  if (!isLiveState(s)) return ok(s, []);
  const fx: Effect[] = [];
  if (s.info.direction === 'outgoing') fx.push({ type: 'stop-dial' });
  fx.push({ type: 'stop-timer', timer: s.info.direction === 'outgoing' ? 'ring' : 'answer' });
  if (s.linked) fx.push({ type: 'stop-timer', timer: 'keep-alive' });
  if (s.info.state === 'reconnecting') fx.push({ type: 'stop-timer', timer: 'reconnect' });
  if (s.info.state === 'active' || s.info.state === 'reconnecting') fx.push({ type: 'stop-media' });
  if (s.linked) {
    if (notify) fx.push(send(notify));
    fx.push({ type: 'close-link' });
  }
  const step = to({ ...s, linked: false, reconnectBy: null, held: [] }, { state: 'ended', reason, detail, endedAt: now }, fx);
  step.effects.push(log(`call ${s.info.callId.slice(0, 8)} ended: ${reason}${detail ? ` (${detail})` : ''}`));
  return step;
}

// A change the browser must see.
function to(s: MachineState, change: Partial<CallInfo>, fx: Effect[] = []): Step {
  const next: MachineState = { ...s, info: { ...s.info, ...change } };
  fx.push(emit(next));
  return ok(next, fx);
}

function ok(state: MachineState, effects: Effect[]): Step {
  return { state, effects, refused: null };
}

function refuse(state: MachineState, why: string): Step {
  return { state, effects: [], refused: why };
}

function send(message: SignallingMessage): Effect {
  return { type: 'send', message };
}

function emit(s: MachineState): Effect {
  return { type: 'emit', call: { ...s.info } };
}

function log(line: string): Effect {
  return { type: 'log', line };
}
