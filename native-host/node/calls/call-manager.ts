import { CopybaraError } from '../../../lib/errors';
import { decodeNodeId, encodeNodeId, normaliseNodeId } from '../../../lib/node-id';
import type { CallInfo, EndReason, NodeEvent, TurnInfo } from '../../../lib/protocol/native';
import type { Signal } from '../../../lib/protocol/signal';
import type { RefuseReason, SignallingMessage } from '../../../lib/protocol/signalling';
import type { Backend, PeerLink } from '../network/backend';
import { MAX_MEDIA_PAYLOAD, decodeMediaDatagram, encodeMediaDatagram } from './media-datagram';
import { safetyCode } from './safety-code';
import type { TurnBinding } from '../turn/server';
import { type Call, createCall, isLive, newCallId, remoteHangupReason } from './call';
import type { Invitations } from './invitations';

type Log = (line: string) => void;

export interface TurnRelay {
  readonly port: number;
  addUser(username: string, password: string, binding: TurnBinding): void;
  removeUser(username: string): void;
  deliver(username: string, fromPort: number, toPort: number, data: Uint8Array): boolean;
}

export interface Timing {
  dialTimeout: number; // finding and connecting to the peer's node
  ringAckTimeout: number; // a connection that carries no answer to "ring" is replaced
  ringTimeout: number; // caller gives up waiting for an answer
  answerTimeout: number; // callee stops ringing (a little before the caller gives up)
  firstMessageTimeout: number; // an incoming connection must say why it came
  keepAliveInterval: number;
  peerLostAfter: number; // silence on the link after which the peer counts as gone
}

export const DEFAULT_TIMING: Timing = {
  dialTimeout: 15_000,
  ringAckTimeout: 2_500,
  ringTimeout: 45_000,
  answerTimeout: 40_000,
  firstMessageTimeout: 10_000,
  keepAliveInterval: 1_000,
  peerLostAfter: 5_000,
};

const KEEP_ENDED = 20;

const REFUSALS: Record<RefuseReason, string> = {
  'link-used': 'this call link was already used; ask for a new one',
  'link-expired': 'this call link has expired; ask for a new one',
  'wrong-callee': 'this call link was made for someone else',
};

export interface CallManagerOptions {
  backend: Backend;
  turn: TurnRelay;
  publicKey: Buffer;
  emit: (event: NodeEvent) => void;
  log: Log;
  // Call links this node issued; without it, rings that present a link ring as any call.
  invitations?: Invitations;
  timing?: Partial<Timing>;
  now?: () => number;
}

// The calls of one node: dialling, ringing, answering, ending, and wiring each answered
// call's TURN credential to its overlay link. One live call at a time; a second caller
// hears "busy".
export class CallManager {
  readonly calls = new Map<string, Call>();
  private _o: CallManagerOptions;
  private _t: Timing;
  private _now: () => number;

  constructor(opts: CallManagerOptions) {
    this._o = opts;
    this._t = { ...DEFAULT_TIMING, ...opts.timing };
    this._now = opts.now ?? Date.now;
  }

  list(): CallInfo[] {
    return [...this.calls.values()].map((c) => ({ ...c.info }));
  }

  live(): Call | null {
    for (const c of this.calls.values()) if (isLive(c)) return c;
    return null;
  }

  start(target: string, claimedName: string | null = null, invitation: string | null = null): CallInfo {
    const id = normaliseNodeId(target);
    const peerKey = Buffer.from(decodeNodeId(id));
    if (peerKey.equals(this._o.publicKey)) throw CopybaraError.SELF_CALL();
    if (this.live()) throw CopybaraError.BUSY();
    const call = createCall({ callId: newCallId(), direction: 'outgoing', peer: id, peerKey, peerName: null, now: this._now() });
    call.claimedName = claimedName;
    call.info.invitation = invitation;
    this._add(call);
    void this._dial(call);
    return { ...call.info };
  }

  answer(callId: string): CallInfo {
    const call = this._get(callId);
    if (call.info.state !== 'incoming') throw CopybaraError.CALL_NOT_ALLOWED(`the call is ${call.info.state}, not ringing`);
    call.link!.send({ type: 'accept', callId });
    this._activate(call);
    return { ...call.info };
  }

  decline(callId: string): CallInfo {
    const call = this._get(callId);
    if (call.info.state !== 'incoming') throw CopybaraError.CALL_NOT_ALLOWED(`the call is ${call.info.state}, not ringing`);
    this._end(call, 'declined', null, { type: 'decline', callId });
    return { ...call.info };
  }

  hangup(callId: string): CallInfo {
    const call = this._get(callId);
    if (call.info.state === 'incoming') return this.decline(callId);
    if (isLive(call)) this._end(call, 'hangup', null, { type: 'hangup', callId, reason: 'hangup' });
    return { ...call.info };
  }

  turn(callId: string): TurnInfo {
    const call = this._get(callId);
    if (!call.turnActive) throw CopybaraError.CALL_NOT_ALLOWED('media is relayed only for an answered call');
    return {
      urls: [`turn:127.0.0.1:${this._o.turn.port}?transport=udp`],
      username: call.turnUser,
      credential: call.turnPassword,
    };
  }

  signal(callId: string, signal: Signal): void {
    const call = this._get(callId);
    if (call.info.state !== 'active') throw CopybaraError.CALL_NOT_ALLOWED('the call is not answered');
    call.link!.send({ type: 'signal', callId, signal });
  }

  // A connection some other node opened to us: it must ring within a bounded time.
  accept(link: PeerLink): void {
    const timer = setTimeout(() => {
      this._o.log('incoming connection said nothing; closed');
      link.close();
    }, this._t.firstMessageTimeout);
    const onmessage = (m: SignallingMessage) => {
      if (m.type === 'ping') return link.send({ type: 'pong', seq: m.seq });
      clearTimeout(timer);
      link.off('message', onmessage);
      link.off('close', onclose);
      if (m.type !== 'ring') {
        this._o.log(`incoming connection began with "${m.type}", not "ring"; closed`);
        return link.close();
      }
      this._incoming(link, m);
    };
    const onclose = () => clearTimeout(timer);
    link.on('message', onmessage);
    link.on('close', onclose);
  }

  close(): void {
    for (const call of this.calls.values()) {
      if (isLive(call)) this._end(call, 'hangup', 'the node is shutting down', { type: 'hangup', callId: call.info.callId, reason: 'hangup' });
    }
  }

  private _incoming(link: PeerLink, ring: Extract<SignallingMessage, { type: 'ring' }>): void {
    const same = this.calls.get(ring.callId);
    if (same && same.info.state === 'incoming' && same.peerKey.equals(link.remoteKey)) {
      // The caller redialled the same call (its first connection carried nothing back):
      // move the call onto the new connection.
      same.detach?.();
      same.link?.close();
      this._attach(same, link);
      link.send({ type: 'ringing', callId: same.info.callId });
      return;
    }
    if (this.live() || same) {
      link.send({ type: 'busy', callId: ring.callId });
      return link.close();
    }
    const caller = encodeNodeId(link.remoteKey);
    const verdict = ring.invitation && this._o.invitations
      ? this._o.invitations.verdict(ring.invitation, caller, Math.floor(this._now() / 1000))
      : { kind: 'ring' as const };
    if (verdict.kind === 'refuse') {
      this._o.log(`a call presenting link ${ring.invitation} refused: ${verdict.reason}`);
      link.send({ type: 'refuse', callId: ring.callId, reason: verdict.reason });
      return link.close();
    }
    const call = createCall({
      callId: ring.callId,
      direction: 'incoming',
      peer: caller,
      peerKey: link.remoteKey,
      peerName: ring.name,
      now: this._now(),
    });
    call.info.invitation = ring.invitation;
    if (verdict.kind === 'auto-accept') {
      // Our own link, answered while our call tab waits for it: no ringing, no second click.
      call.info.viaLink = true;
      this.calls.set(call.info.callId, call);
      this._attach(call, link);
      link.send({ type: 'accept', callId: call.info.callId });
      return this._activate(call);
    }
    this._add(call);
    this._attach(call, link);
    link.send({ type: 'ringing', callId: call.info.callId });
    call.timer = setTimeout(() => {
      this._end(call, 'missed', null, { type: 'hangup', callId: call.info.callId, reason: 'no-answer' });
    }, this._t.answerTimeout);
    this._emit(call);
  }

  // HyperDHT can report a connection open that the other side never sees (seen with a
  // callee whose node started a moment earlier), so a connection counts only once the callee
  // answers the ring; until then the caller redials, within the dial timeout.
  private async _dial(call: Call): Promise<void> {
    const deadline = this._now() + this._t.dialTimeout;
    let attempt = 0;
    while (isLive(call)) {
      const left = deadline - this._now();
      if (left <= 0) return this._end(call, 'unreachable', `no answer from the network within ${this._t.dialTimeout / 1000} s`, null);
      const link = await this._connect(call, left);
      if (!link || !isLive(call)) return link?.close();
      this._attach(call, link);
      link.send({ type: 'ring', callId: call.info.callId, name: call.claimedName, video: true, invitation: call.info.invitation });
      if (await this._heardWithin(call, link, Math.min(this._t.ringAckTimeout, deadline - this._now()))) {
        call.timer = setTimeout(() => {
          this._end(call, 'no-answer', null, { type: 'hangup', callId: call.info.callId, reason: 'no-answer' });
        }, this._t.ringTimeout);
        return;
      }
      if (!isLive(call)) return;
      this._o.log(`call ${call.info.callId.slice(0, 8)}: connection ${++attempt} carried no answer; redialling`);
      call.detach?.();
      link.close();
    }
  }

  private async _connect(call: Call, timeoutMs: number): Promise<PeerLink | null> {
    const abort = new AbortController();
    call.dialing = abort;
    const timer = setTimeout(() => abort.abort(`no answer from the network within ${this._t.dialTimeout / 1000} s`), timeoutMs);
    try {
      return await this._o.backend.connect(call.peerKey, abort.signal);
    } catch (err) {
      if (isLive(call)) this._end(call, 'unreachable', err instanceof CopybaraError ? err.detail : String(err), null);
      return null;
    } finally {
      clearTimeout(timer);
      call.dialing = null;
    }
  }

  private _heardWithin(call: Call, link: PeerLink, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const done = (heard: boolean) => {
        clearTimeout(timer);
        link.off('message', onmessage);
        link.off('close', onclose);
        resolve(heard);
      };
      const onmessage = () => done(true);
      const onclose = () => done(false);
      const timer = setTimeout(() => done(false), Math.max(0, ms));
      link.on('message', onmessage);
      link.on('close', onclose);
    });
  }

  private _attach(call: Call, link: PeerLink): void {
    call.link = link;
    call.info.safetyCode = safetyCode(this._o.publicKey, link.remoteKey);
    call.lastHeard = this._now();
    const onmessage = (m: SignallingMessage) => this._onmessage(call, m);
    const ondatagram = (d: Buffer) => this._ondatagram(call, d);
    const onclose = (reason: string) => {
      if (isLive(call)) this._end(call, 'peer-lost', reason, null);
    };
    link.on('message', onmessage);
    link.on('datagram', ondatagram);
    link.on('close', onclose);
    const keepAlive = setInterval(() => {
      if (this._now() - call.lastHeard > this._t.peerLostAfter) {
        return this._end(call, 'peer-lost', `nothing heard for ${this._t.peerLostAfter / 1000} s`, null);
      }
      link.send({ type: 'ping', seq: ++call.pingSeq });
    }, this._t.keepAliveInterval);
    call.keepAlive = keepAlive;
    call.detach = () => {
      link.off('message', onmessage);
      link.off('datagram', ondatagram);
      link.off('close', onclose);
      clearInterval(keepAlive);
      call.detach = null;
    };
  }

  private _onmessage(call: Call, m: SignallingMessage): void {
    call.lastHeard = this._now();
    if (m.type === 'ping') return call.link?.send({ type: 'pong', seq: m.seq });
    if (m.type === 'pong') return;
    if (m.callId !== call.info.callId) return this._o.log(`signalling for another call (${m.type}) ignored`);
    const { state, direction } = call.info;
    switch (m.type) {
      case 'ringing':
        if (state === 'dialing' && direction === 'outgoing') this._setState(call, 'ringing');
        return;
      case 'accept':
        if (direction === 'outgoing' && (state === 'ringing' || state === 'dialing')) this._activate(call);
        return;
      case 'decline':
        if (direction === 'outgoing' && isLive(call)) this._end(call, 'declined', null, null);
        return;
      case 'busy':
        if (direction === 'outgoing' && isLive(call)) this._end(call, 'busy', null, null);
        return;
      case 'refuse':
        if (direction === 'outgoing' && isLive(call)) this._end(call, 'refused', REFUSALS[m.reason], null);
        return;
      case 'hangup':
        if (isLive(call)) this._end(call, remoteHangupReason(call, m.reason), null, null);
        return;
      case 'signal':
        if (state === 'active') this._o.emit({ event: 'signal', callId: call.info.callId, signal: m.signal });
        else this._o.log(`signal for a call that is ${state} ignored`);
        return;
      case 'ring':
        return this._o.log('a second ring on a connection ignored');
    }
  }

  private _ondatagram(call: Call, data: Buffer): void {
    call.lastHeard = this._now();
    if (!call.turnActive) return;
    try {
      const d = decodeMediaDatagram(data);
      this._o.turn.deliver(call.turnUser, d.from, d.to, d.payload);
    } catch {
      // Counted by the TURN side's stats as nothing delivered; a bad datagram costs only itself.
    }
  }

  private _activate(call: Call): void {
    if (call.timer) clearTimeout(call.timer);
    call.timer = null;
    const link = call.link!;
    this._o.turn.addUser(call.turnUser, call.turnPassword, {
      relayIp: call.relayIp,
      peerIp: call.peerIp,
      maxPayload: MAX_MEDIA_PAYLOAD,
      send: (from, to, data) => link.sendDatagram(encodeMediaDatagram(from, to, data)),
    });
    call.turnActive = true;
    call.info.answeredAt = this._now();
    this._setState(call, 'active');
  }

  private _end(call: Call, reason: EndReason, detail: string | null, notify: SignallingMessage | null): void {
    if (!isLive(call)) return;
    call.dialing?.abort('the call ended');
    if (call.timer) clearTimeout(call.timer);
    if (call.keepAlive) clearInterval(call.keepAlive);
    call.timer = call.keepAlive = null;
    if (call.turnActive) this._o.turn.removeUser(call.turnUser);
    call.turnActive = false;
    if (call.link) {
      if (notify) call.link.send(notify);
      call.link.close();
    }
    call.info.reason = reason;
    call.info.detail = detail;
    call.info.endedAt = this._now();
    this._setState(call, 'ended');
    this._o.log(`call ${call.info.callId.slice(0, 8)} ended: ${reason}${detail ? ` (${detail})` : ''}`);
    this._prune();
  }

  private _setState(call: Call, state: CallInfo['state']): void {
    call.info.state = state;
    this._emit(call);
  }

  private _emit(call: Call): void {
    this._o.emit({ event: 'call', call: { ...call.info } });
  }

  private _add(call: Call): void {
    this.calls.set(call.info.callId, call);
    this._emit(call);
  }

  private _get(callId: string): Call {
    const call = this.calls.get(callId);
    if (!call) throw CopybaraError.UNKNOWN_CALL(callId);
    return call;
  }

  private _prune(): void {
    const ended = [...this.calls.values()].filter((c) => !isLive(c));
    for (const c of ended.slice(0, Math.max(0, ended.length - KEEP_ENDED))) this.calls.delete(c.info.callId);
  }
}
