import type { TurnInfo } from '../protocol/native';
import type { Signal } from '../protocol/signal';

// One RTCPeerConnection for one call, relay-only through the local node's TURN server:
// only relay candidates exist, so no IP address ever enters an SDP.
//
// The caller makes the offer, the callee answers. ICE trickles: each local candidate is
// sent as soon as it appears, and we never wait for gathering to complete, because
// Chromium never completes it on a loopback-only machine. Remote candidates
// that arrive before the remote description are queued until it is set.

export type PeerRole = 'offerer' | 'answerer';

export interface PeerOptions {
  role: PeerRole;
  turn: TurnInfo;
  stream: MediaStream;
  sendSignal(signal: Signal): Promise<unknown>;
  onRemoteStream(stream: MediaStream): void;
  onConnectionState(state: RTCPeerConnectionState): void;
  onError(err: unknown): void;
  // Tests and diagnostics may supply their own constructor.
  createPeerConnection?: (config: RTCConfiguration) => RTCPeerConnection;
}

export function iceConfig(turn: TurnInfo): RTCConfiguration {
  return {
    iceServers: [{ urls: turn.urls, username: turn.username, credential: turn.credential }],
    iceTransportPolicy: 'relay',
  };
}

export class PeerSession {
  readonly pc: RTCPeerConnection;
  readonly role: PeerRole;
  private readonly opts: PeerOptions;
  private readonly remoteStream: MediaStream;
  // Remote candidates waiting for the remote description.
  private pendingRemote: RTCIceCandidateInit[] = [];
  // Local candidates waiting until our description has been sent, so the peer never
  // sees a candidate before the offer/answer it belongs to.
  private pendingLocal: Signal[] | null = [];
  private closed = false;
  private applying: Promise<void> = Promise.resolve();

  constructor(opts: PeerOptions) {
    this.opts = opts;
    this.role = opts.role;
    const make = opts.createPeerConnection ?? ((c: RTCConfiguration) => new RTCPeerConnection(c));
    this.pc = make(iceConfig(opts.turn));
    this.remoteStream = new MediaStream();

    this.pc.onicecandidate = (e) => this.onLocalCandidate(e.candidate);
    this.pc.ontrack = (e) => {
      if (!this.remoteStream.getTracks().includes(e.track)) this.remoteStream.addTrack(e.track);
      opts.onRemoteStream(this.remoteStream);
    };
    this.pc.onconnectionstatechange = () => opts.onConnectionState(this.pc.connectionState);

    for (const track of opts.stream.getTracks()) this.pc.addTrack(track, opts.stream);
    // Without a camera we still want to see the other side: ask for their video anyway.
    if (opts.stream.getVideoTracks().length === 0) this.pc.addTransceiver('video', { direction: 'recvonly' });
  }

  // The offerer starts negotiation; the answerer waits for the offer. Signals handed in
  // after start() are applied after it.
  start(): Promise<void> {
    return this.inTurn(() => this.offer());
  }

  // One signal at a time, in arrival order: a description still being applied is not yet
  // the pc's remoteDescription, so a copy of it (or a candidate) arriving meanwhile would
  // otherwise be applied against the wrong state.
  handleSignal(signal: Signal): Promise<void> {
    return this.inTurn(() => this.apply(signal));
  }

  private inTurn(step: () => Promise<void>): Promise<void> {
    const next = this.applying.then(step);
    // A failed offer is reported by start()'s caller; later signals still get their turn.
    this.applying = next.catch(() => {});
    return next;
  }

  private async offer(): Promise<void> {
    if (this.role !== 'offerer') return;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    await this.sendDescription();
  }

  private async apply(signal: Signal): Promise<void> {
    if (this.closed) return;
    try {
      if (signal.kind === 'candidate') {
        const init: RTCIceCandidateInit = {
          candidate: signal.candidate,
          sdpMid: signal.sdpMid,
          sdpMLineIndex: signal.sdpMLineIndex,
        };
        if (this.pc.remoteDescription) await this.pc.addIceCandidate(init);
        else this.pendingRemote.push(init);
        return;
      }
      if (signal.kind === 'offer' && this.role !== 'answerer') return; // glare cannot happen: only the caller offers
      if (signal.kind === 'answer' && this.role !== 'offerer') return;
      // The same description again (a signal that reached this page twice, e.g. once replayed
      // when the page took the call up and once live) is already applied; applying it again
      // would fail ("wrong state: stable") and end a call that is fine.
      const applied = this.pc.remoteDescription;
      if (applied && applied.type === signal.kind && applied.sdp === signal.sdp) return;
      await this.pc.setRemoteDescription({ type: signal.kind, sdp: signal.sdp });
      const queued = this.pendingRemote;
      this.pendingRemote = [];
      for (const c of queued) await this.pc.addIceCandidate(c);
      if (signal.kind === 'offer') {
        const answer = await this.pc.createAnswer();
        await this.pc.setLocalDescription(answer);
        await this.sendDescription();
      }
    } catch (err) {
      if (!this.closed) this.opts.onError(err);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }

  private async sendDescription(): Promise<void> {
    const desc = this.pc.localDescription;
    if (!desc || (desc.type !== 'offer' && desc.type !== 'answer')) return;
    await this.opts.sendSignal({ kind: desc.type, sdp: desc.sdp });
    const queued = this.pendingLocal ?? [];
    this.pendingLocal = null;
    for (const s of queued) this.send(s);
  }

  private onLocalCandidate(candidate: RTCIceCandidate | null): void {
    // null (and an empty string) mean "end of candidates": nothing to send.
    if (!candidate || !candidate.candidate) return;
    const signal: Signal = {
      kind: 'candidate',
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid,
      sdpMLineIndex: candidate.sdpMLineIndex,
    };
    if (this.pendingLocal) this.pendingLocal.push(signal);
    else this.send(signal);
  }

  private send(signal: Signal): void {
    this.opts.sendSignal(signal).catch((err) => {
      if (!this.closed) this.opts.onError(err);
    });
  }
}
