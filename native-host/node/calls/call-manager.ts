import { CopybaraError } from '../../../lib/errors';
import { decodeNodeId, encodeNodeId, normaliseNodeId } from '../../../lib/node-id';
import type { CallBrowser, CallInfo, NodeEvent, TurnInfo } from '../../../lib/protocol/native';
import type { Signal } from '../../../lib/protocol/signal';
import type { SignallingMessage } from '../../../lib/protocol/signalling';
import type { Log } from '../../common/log';
import type { Backend, PeerAddress, PeerLink } from '../network/backend';
import { type Call, callInfo, isLive, newCallId, newTurnCredentials } from './call';
import { type CallEvent, type Effect, type NewCall, type Step, type TimerName, dialOut, ringIn, transition } from './call-machine';
import { dial } from './dialer';
import { FirefoxRelays } from './firefox-relays';
import { type Ring, awaitRing } from './handshake';
import type { Invitations } from './invitations';
import { MediaRelay, type TurnRelay } from './media-relay';
import { type RingLimits, type RingPolicy, RingGate, UnrungConnections } from './ring-gate';
import { safetyCode } from './safety-code';
import { DEFAULT_TIMING, type Timing } from './timing';

export { DEFAULT_TIMING, type Timing } from './timing';
export type { TurnRelay } from './media-relay';

const KEEP_ENDED = 20;

// What each one-shot timer tells the machine when it fires.
const TIMEOUTS = {
  ring: 'ring-timeout',
  answer: 'answer-timeout',
  reconnect: 'reconnect-timeout',
} as const satisfies Record<Exclude<TimerName, 'keep-alive'>, CallEvent['type']>;

export interface CallManagerOptions {
  backend: Backend;
  turn: TurnRelay;
  // The per-call listeners of Firefox calls; default: on the default-route address.
  firefox?: FirefoxRelays;
  publicKey: Buffer;
  emit: (event: NodeEvent) => void;
  log: Log;
  // Call links this node issued; without it, rings that present a link ring as any call.
  invitations?: Invitations;
  timing?: Partial<Timing>;
  ringLimits?: Partial<RingLimits>;
  now?: () => number;
}

// The calls of one node. What a call does next is decided by call-machine.ts; this class
// feeds it events (from the browser, the links, the timers and the dialer) and carries out
// the effects it returns. It alone knows about more than one call: one live call at a
// time, so a second caller hears "busy".
export class CallManager {
  readonly calls = new Map<string, Call>();
  private _o: CallManagerOptions;
  private _t: Timing;
  private _now: () => number;
  private _gate: RingGate;
  private _unrung: UnrungConnections<PeerLink>;
  private _firefox: FirefoxRelays;

  constructor(opts: CallManagerOptions) {
    this._o = opts;
    this._firefox = opts.firefox ?? new FirefoxRelays({ log: opts.log });
    this._t = { ...DEFAULT_TIMING, ...opts.timing };
    this._now = opts.now ?? Date.now;
    this._gate = new RingGate(opts.ringLimits);
    this._unrung = new UnrungConnections(this._gate.limits.maxUnrung, opts.log);
  }

  // Blocked keys, and whether only contacts may ring (the browser's `ring-policy`).
  setRingPolicy(policy: RingPolicy): void {
    this._gate.setPolicy(policy);
  }

  list(): CallInfo[] {
    return [...this.calls.values()].map(callInfo);
  }

  live(): Call | null {
    for (const c of this.calls.values()) if (isLive(c)) return c;
    return null;
  }

  // `via`: what the browser learnt of the callee besides its node id (its name's Staex id, the
  // network the person prefers for the call).
  start(target: string, claimedName: string | null = null, invitation: string | null = null, via: PeerAddress | null = null): CallInfo {
    const id = normaliseNodeId(target);
    const peerKey = Buffer.from(decodeNodeId(id));
    if (peerKey.equals(this._o.publicKey)) throw CopybaraError.SELF_CALL();
    if (this.live()) throw CopybaraError.BUSY();
    const init = this._init(newCallId(), id, null, claimedName, invitation);
    const step = dialOut(init);
    const call = this._add(step, peerKey, 'outgoing', via);
    this._run(call, step);
    return callInfo(call);
  }

  answer(callId: string): CallInfo {
    const info = this._act(callId, { type: 'answer' });
    if (info.state === 'active') {
      // Someone the person answers is no flooder: their next rings count afresh.
      this._gate.answered(info.peer);
      if (info.direction === 'incoming' && info.invitation) this._o.invitations?.use(info.invitation, Math.floor(this._now() / 1000));
    }
    return info;
  }

  decline(callId: string): CallInfo {
    return this._act(callId, { type: 'decline' });
  }

  hangup(callId: string): CallInfo {
    return this._act(callId, { type: 'hangup' });
  }

  // Where the call tab's RTCPeerConnection relays its media. The extension says which browser
  // asks: Chromium uses the node's loopback relay, Firefox (which refuses loopback TURN
  // servers) a listener of the call's own (firefox-relays.ts).
  async turn(callId: string, browser: CallBrowser): Promise<TurnInfo> {
    const call = this._get(callId);
    const notAnswered = () => CopybaraError.CALL_NOT_ALLOWED('media is relayed only for an answered call');
    if (!call.relay.active) throw notAnswered();
    let host = '127.0.0.1';
    let port = this._o.turn.port;
    if (browser === 'firefox') {
      const server = await this._firefox.open(callId);
      // The call may have ended while the listener opened; its end closed nothing yet.
      if (!call.relay.active) {
        await this._firefox.close(callId);
        throw notAnswered();
      }
      call.relay.useServer(server);
      ({ host, port } = server);
    } else {
      call.relay.useServer(this._o.turn);
      await this._firefox.close(callId);
    }
    return {
      urls: [`turn:${host}:${port}?transport=udp`],
      username: call.relay.credentials.user,
      credential: call.relay.credentials.password,
    };
  }

  signal(callId: string, signal: Signal): void {
    this._act(callId, { type: 'send-signal', signal });
  }

  // A connection some other node opened to us.
  accept(link: PeerLink): void {
    awaitRing(link, this._t.firstMessageTimeout, this._o.log, (l, ring) => this._incoming(l, ring), this._unrung);
  }

  close(): Promise<void> {
    for (const call of this.calls.values()) this._dispatch(call, { type: 'shutdown' });
    return this._firefox.closeAll();
  }

  // Which call a ring belongs to, if any, is a question about all calls, so it is
  // answered here; what the call then does is the machine's.
  private _incoming(link: PeerLink, ring: Ring): void {
    const same = this.calls.get(ring.callId);
    const fromCaller = same !== undefined && same.state.info.direction === 'incoming' && same.peerKey.equals(link.remoteKey);
    if (fromCaller && same.state.info.state === 'incoming') {
      // The caller redialled the same call (its first connection carried nothing back):
      // move the call onto the new connection.
      const old = same.link;
      this._unlink(same);
      old?.close();
      this._link(same, link);
      return;
    }
    if (fromCaller && (same.state.info.state === 'reconnecting' || same.state.info.state === 'active')) {
      // The caller lost the connection under our answered call and found us again. Only the
      // caller's key can ring with the call's id (which only the two of us know), so neither
      // the ring gate nor the busy check applies: this is the call already in progress. Still
      // 'active' means the caller noticed the loss first: the old link is as good as lost here too.
      if (same.state.info.state === 'active')
        this._dispatch(same, { type: 'link-closed', reason: 'the caller reconnected on a new connection' });
      this._link(same, link);
      return;
    }
    const caller = encodeNodeId(link.remoteKey);
    // Before the busy check: a refused ring never takes the live-call slot, so a key that
    // rings and hangs up in a loop cannot keep everyone else on "busy".
    const nowS = Math.floor(this._now() / 1000);
    const withOurLink = ring.invitation !== null && (this._o.invitations?.isOpen(ring.invitation, nowS) ?? false);
    const gate = this._gate.admit(caller, this._now(), withOurLink);
    if (gate.kind === 'refuse' && gate.log !== null) this._o.log(gate.log);
    // Refused rings hear "busy": it tells a blocked or flooding caller nothing new.
    if (gate.kind === 'refuse' || this.live() || same) {
      link.send({ type: 'busy', callId: ring.callId });
      return link.close();
    }
    const verdict =
      ring.invitation && this._o.invitations ? this._o.invitations.verdict(ring.invitation, caller, nowS) : { kind: 'ring' as const };
    if (verdict.kind === 'refuse') {
      this._o.log(`a call presenting link ${ring.invitation} refused: ${verdict.reason}`);
      link.send({ type: 'refuse', callId: ring.callId, reason: verdict.reason });
      return link.close();
    }
    // Our waiting tab answers it: as good as answered by hand (see answer()).
    if (verdict.kind === 'auto-accept') this._gate.answered(caller);
    const init = this._init(ring.callId, caller, ring.name, null, ring.invitation);
    const step = ringIn(init, safetyCode(this._o.publicKey, link.remoteKey), verdict.kind);
    const call = this._add(step, link.remoteKey, 'incoming');
    this._listen(call, link);
    this._run(call, step);
  }

  private _init(callId: string, peer: string, peerName: string | null, claimedName: string | null, invitation: string | null): NewCall {
    return { callId, peer, peerName, claimedName, invitation, timing: this._t, now: this._now() };
  }

  private _add(step: Step, peerKey: Buffer, direction: CallInfo['direction'], via: PeerAddress | null = null): Call {
    const { callId } = step.state.info;
    const call: Call = {
      state: step.state,
      peerKey,
      via,
      link: null,
      route: null,
      detach: null,
      dialing: null,
      timers: { ring: null, answer: null, 'keep-alive': null, reconnect: null },
      lastHeard: this._now(),
      relay: new MediaRelay(this._o.turn, newTurnCredentials(callId, direction), this._now),
    };
    this.calls.set(callId, call);
    return call;
  }

  private _act(callId: string, event: CallEvent): CallInfo {
    const call = this._get(callId);
    const step = this._dispatch(call, event);
    if (step.refused) throw CopybaraError.CALL_NOT_ALLOWED(step.refused);
    return callInfo(call);
  }

  private _dispatch(call: Call, event: CallEvent): Step {
    const step = transition(call.state, event, this._now());
    this._run(call, step);
    return step;
  }

  // The state is stored before any effect runs, so an event an effect causes at once (a
  // link that reports its own closing) meets the new state.
  private _run(call: Call, step: Step): void {
    const wasLive = isLive(call);
    call.state = step.state;
    for (const effect of step.effects) this._do(call, effect);
    if (wasLive && !isLive(call)) this._prune();
  }

  private _do(call: Call, e: Effect): void {
    switch (e.type) {
      case 'send':
        return call.link?.send(e.message);
      case 'emit':
        return this._o.emit({ event: 'call', call: { ...callInfo(call), ...e.call } });
      case 'emit-signal':
        return this._o.emit({ event: 'signal', callId: call.state.info.callId, signal: e.signal });
      case 'start-timer':
        return this._startTimer(call, e.timer, e.ms);
      case 'stop-timer':
        return this._stopTimer(call, e.timer);
      case 'dial':
        return this._dial(call, e.budgetMs);
      case 'stop-dial':
        return call.dialing?.abort('the call ended');
      case 'start-media':
        return call.relay.start();
      case 'stop-media':
        call.relay.stop();
        call.relay.useServer(this._o.turn);
        return void this._firefox.close(call.state.info.callId);
      case 'close-link':
      case 'link-lost': {
        // The machine is done with the link: nothing it says while closing matters.
        const link = call.link;
        call.detach?.();
        call.link = null;
        if (link && e.type === 'link-lost') this._o.backend.linkLost?.(link);
        return link?.close();
      }
      case 'log':
        return this._o.log(e.line);
    }
  }

  private _startTimer(call: Call, timer: TimerName, ms: number): void {
    this._stopTimer(call, timer);
    if (timer === 'keep-alive') {
      call.timers[timer] = setInterval(() => {
        this._dispatch(call, { type: 'keep-alive', lastHeard: Math.max(call.lastHeard, call.relay.lastHeard) });
      }, ms);
    } else {
      const event: CallEvent = { type: TIMEOUTS[timer] };
      call.timers[timer] = setTimeout(() => this._dispatch(call, event), ms);
    }
  }

  private _stopTimer(call: Call, timer: TimerName): void {
    const t = call.timers[timer];
    if (t) clearTimeout(t);
    call.timers[timer] = null;
  }

  private _dial(call: Call, budgetMs?: number): void {
    call.dialing?.abort('a new dial replaced it');
    const abort = new AbortController();
    call.dialing = abort;
    void dial({
      backend: this._o.backend,
      peerKey: call.peerKey,
      ...(call.via ? { peer: call.via } : {}),
      timing: budgetMs === undefined ? this._t : { ...this._t, dialTimeout: budgetMs },
      // A budget means a call reconnecting (call-machine.ts), whose peer was just there.
      persistent: budgetMs !== undefined,
      now: this._now,
      log: this._o.log,
      label: call.state.info.callId.slice(0, 8),
      signal: abort.signal,
      onLink: (link) => this._link(call, link),
      onDrop: (link) => {
        this._unlink(call);
        // A connection that carried nothing back says something about its path, as a lost one does.
        this._o.backend.linkLost?.(link);
      },
    }).then((outcome) => {
      if (call.dialing === abort) call.dialing = null;
      if (outcome.kind === 'answered') this._dispatch(call, { type: 'ring-heard' });
      else if (outcome.kind === 'failed') this._dispatch(call, { type: 'dial-failed', detail: outcome.detail, why: outcome.why });
    });
  }

  // Gives the call a link: its listeners, then the machine's say (a ring, or "ringing").
  private _link(call: Call, link: PeerLink): void {
    this._listen(call, link);
    this._dispatch(call, { type: 'linked', safetyCode: safetyCode(this._o.publicKey, link.remoteKey) });
  }

  private _listen(call: Call, link: PeerLink): void {
    call.link = link;
    if (link.route) call.route = link.route;
    call.lastHeard = this._now();
    const onmessage = (m: SignallingMessage) => {
      call.lastHeard = this._now();
      this._dispatch(call, { type: 'message', message: m });
    };
    const onclose = (reason: string) => this._dispatch(call, { type: 'link-closed', reason });
    link.on('message', onmessage);
    link.on('close', onclose);
    call.relay.attach(link);
    call.detach = () => {
      link.off('message', onmessage);
      link.off('close', onclose);
      call.relay.detach();
      call.detach = null;
    };
  }

  // Takes the call off its link without closing it; the caller of this closes it.
  private _unlink(call: Call): void {
    call.detach?.();
    call.link = null;
    this._dispatch(call, { type: 'unlinked' });
  }

  private _get(callId: string): Call {
    const call = this.calls.get(callId);
    if (!call) throw CopybaraError.UNKNOWN_CALL(callId);
    return call;
  }

  private _prune(): void {
    const ended = [...this.calls.values()].filter((c) => !isLive(c));
    for (const c of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.calls.delete(c.state.info.callId);
  }
}
