import { type ErrorInfo, toErrorInfo } from '../errors';
import { errorText, peerLabel } from '../error-text';
import { CallPortClient, closeThisTab } from '../browser/call-port';
import type { HostState } from '../ext/messages';
import { decodeTurnInfo } from '../protocol/native';
import { type Verification, forDisplay } from '../ext/verification';
import { CALL_ID } from '../protocol/check';
import { type CallInfo, decodeCallInfo } from '../protocol/native';
import type { Signal } from '../protocol/signal';
import { MediaError, getLocalMedia, stopStream } from '../webrtc/media';
import { PeerSession } from '../webrtc/peer';
import { type StatsSummary, summariseStats } from '../webrtc/stats';
import { callStatus, controlsFor } from './call-view';

// The call page's state, shared by its components. Components read these fields and call
// the actions; this module owns the port (through CallPortClient), the media and the
// RTCPeerConnection (through PeerSession).

const STATS_INTERVAL_MS = 1000;

class CallState {
  callId = $state<string | null>(null);
  call = $state.raw<CallInfo | null>(null);
  // The background's check of the name the peer claims; null when none is claimed.
  verification = $state.raw<Verification | null>(null);
  gone = $state<string | null>(null);
  goneHeadline = $state('Call ended');
  host = $state.raw<HostState | null>(null);
  failure = $state<string | null>(null);
  answering = $state(false);
  mediaConnected = $state(false);
  connectedAt = $state<number | null>(null);
  now = $state(Date.now());
  localStream = $state.raw<MediaStream | null>(null);
  remoteStream = $state.raw<MediaStream | null>(null);
  hasVideo = $state(false);
  muted = $state(false);
  cameraOff = $state(false);
  notice = $state<string | null>(null); // e.g. "No camera was found. This call is audio only."
  alert = $state<string | null>(null); // a problem the user should act on
  showDetails = $state(false);
  stats = $state.raw<StatsSummary | null>(null);

  readonly ended = $derived(this.failure !== null || this.gone !== null || this.call?.state === 'ended');
  readonly status = $derived(
    callStatus({
      call: this.call,
      verification: this.verification,
      failure: this.failure,
      gone: this.gone,
      goneHeadline: this.goneHeadline,
      host: this.host,
      answering: this.answering,
      mediaConnected: this.mediaConnected,
      connectedAt: this.connectedAt,
      now: this.now,
    }),
  );
  readonly controls = $derived(controlsFor(this.call, this.ended));
  readonly who = $derived(this.call ? peerLabel(this.call, forDisplay(this.verification)) : '');
  // A live call keeps its media (it flows through the node's TURN port, not the native
  // port), but requests fail until the background reconnects: say so.
  readonly hostNotice = $derived(
    this.call && !this.ended && this.host && this.host.kind !== 'ready' && this.host.kind !== 'connecting'
      ? 'Lost contact with the Copybara node; reconnecting…'
      : null,
  );

  private client: CallPortClient | null = null;
  private media: Promise<MediaStream | null> | null = null;
  private peer: PeerSession | null = null;
  private peerStarted = false;
  private signals: Signal[] = [];
  private ticker: ReturnType<typeof setInterval> | null = null;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private tornDown = false;

  start(callId: string | null): void {
    if (!callId || !CALL_ID.test(callId)) {
      this.gone = 'This page was opened without a valid call.';
      return;
    }
    this.callId = callId;
    this.client = new CallPortClient(callId, {
      onCall: (call, verification) => {
        this.verification = verification;
        this.onCall(call);
      },
      onSignal: (signal) => this.onSignal(signal),
      onAnswerNow: () => void this.answer(),
      onGone: (error) => this.onGone(error),
      onHost: (host) => (this.host = host),
    });
    this.client.connect();
  }

  pc(): RTCPeerConnection | null {
    return this.peer?.pc ?? null;
  }

  // --- actions -------------------------------------------------------------------------

  async answer(): Promise<void> {
    if (this.answering || this.call?.state !== 'incoming') return;
    this.answering = true;
    this.alert = null;
    // The camera turns on only now, because someone chose to answer.
    const stream = await this.ensureMedia();
    if (!stream || this.ended) {
      this.answering = false;
      return;
    }
    try {
      this.onCall(await this.client!.request('answer', decodeCallInfo));
    } catch (err) {
      this.alert = errorText(toErrorInfo(err), this.who);
    } finally {
      this.answering = false;
    }
  }

  decline(): Promise<void> {
    return this.finish('decline');
  }

  hangup(): Promise<void> {
    return this.finish('hangup');
  }

  toggleMute(): void {
    this.muted = !this.muted;
    for (const t of this.localStream?.getAudioTracks() ?? []) t.enabled = !this.muted;
  }

  toggleCamera(): void {
    this.cameraOff = !this.cameraOff;
    for (const t of this.localStream?.getVideoTracks() ?? []) t.enabled = !this.cameraOff;
  }

  toggleDetails(): void {
    this.showDetails = !this.showDetails;
    if (this.showDetails) this.startStats();
    else this.stopStats();
  }

  close(): void {
    void closeThisTab();
  }

  // --- what the background tells us ---------------------------------------------------

  private onCall(call: CallInfo): void {
    if (this.call?.state === 'ended') return; // an ended call stays ended
    this.call = call;
    if (call.state === 'ended') return this.teardown();
    if (call.direction === 'outgoing') void this.ensureMedia(); // the caller's camera starts while dialing
    if (call.state === 'active') void this.startPeer();
  }

  private onSignal(signal: Signal): void {
    if (this.peer) void this.peer.handleSignal(signal);
    else this.signals.push(signal);
  }

  private onGone(error: ErrorInfo): void {
    if (this.call?.state === 'ended') return;
    // A call shown in another tab goes on there; only this page is done.
    if (error.code === 'SHOWN_ELSEWHERE') this.goneHeadline = 'Open in another tab';
    this.gone = errorText(error, this.who);
    this.teardown();
  }

  // --- internals -----------------------------------------------------------------------

  private async finish(type: 'hangup' | 'decline'): Promise<void> {
    if (!this.client || this.ended) return;
    try {
      this.onCall(await this.client.request(type, decodeCallInfo));
    } catch (err) {
      this.alert = errorText(toErrorInfo(err), this.who);
    }
    this.teardown();
  }

  // Starts the camera and microphone once; later callers share the result.
  private ensureMedia(): Promise<MediaStream | null> {
    this.media ??= getLocalMedia().then(
      ({ stream, videoProblem }) => {
        if (this.tornDown) {
          stopStream(stream);
          return null;
        }
        this.localStream = stream;
        this.hasVideo = stream.getVideoTracks().length > 0;
        this.notice = videoProblem;
        return stream;
      },
      (err: unknown) => {
        const words = err instanceof MediaError ? err.message : String(err);
        this.media = null; // let the user try again (e.g. after allowing the microphone)
        if (this.call?.direction === 'outgoing') void this.fail(words);
        else this.alert = words;
        return null;
      },
    );
    return this.media;
  }

  private async startPeer(): Promise<void> {
    if (this.peerStarted || !this.client) return;
    this.peerStarted = true;
    const client = this.client;
    try {
      const stream = await this.ensureMedia();
      if (!stream) return;
      const turn = await client.request('turn', decodeTurnInfo);
      if (this.ended) return;
      this.peer = new PeerSession({
        role: this.call?.direction === 'outgoing' ? 'offerer' : 'answerer',
        turn,
        stream,
        sendSignal: (signal) => client.signal(signal),
        onRemoteStream: (remote) => (this.remoteStream = remote),
        onConnectionState: (state) => this.onConnectionState(state),
        onError: (err) => void this.fail(`the media connection could not be set up (${toErrorInfo(err).message})`),
      });
      // In order: the offer (if ours), then what arrived before the peer existed, then
      // whatever arrives from now on (PeerSession applies signals one at a time).
      const started = this.peer.start();
      for (const s of this.signals.splice(0)) void this.peer.handleSignal(s);
      await started;
    } catch (err) {
      void this.fail(errorText(toErrorInfo(err), this.who).replace(/\.$/, ''));
    }
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    if (state === 'connected' && !this.mediaConnected) {
      this.mediaConnected = true;
      this.connectedAt ??= Date.now();
      this.now = Date.now();
      this.ticker ??= setInterval(() => (this.now = Date.now()), 1000);
      this.notice = this.notice?.includes('audio only') ? this.notice : null;
    } else if (state === 'failed') {
      void this.fail('the media connection through the Copybara node failed');
    }
  }

  // Our side gave up: say why (this wins over the node's "You hung up") and hang up.
  private async fail(words: string): Promise<void> {
    if (this.ended) return;
    this.failure = words;
    this.teardown();
    try {
      const call = await this.client?.request('hangup', decodeCallInfo);
      if (call) this.call = call;
    } catch {
      // The call may already be gone on the node; the failure is shown either way.
    }
  }

  private teardown(): void {
    if (this.tornDown) return;
    this.tornDown = true;
    this.peer?.close();
    stopStream(this.localStream);
    this.localStream = null;
    this.remoteStream = null;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = null;
    this.stopStats();
    this.now = this.call?.endedAt ?? Date.now();
    this.answering = false;
  }

  private startStats(): void {
    const poll = async () => {
      const pc = this.pc();
      if (!pc || pc.connectionState === 'closed') return;
      this.stats = summariseStats(await pc.getStats());
    };
    void poll();
    this.statsTimer ??= setInterval(() => void poll(), STATS_INTERVAL_MS);
  }

  private stopStats(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }
}

export const callState = new CallState();
