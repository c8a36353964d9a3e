import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Signal } from '../../../lib/protocol/signal';
import { PeerSession, iceConfig } from '../../../lib/webrtc/peer';

// A scripted RTCPeerConnection: enough to check what PeerSession sends and in what order.

class FakeTrack {
  constructor(readonly kind: 'audio' | 'video') {}
}

class FakeStream {
  private readonly tracks: FakeTrack[];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks = [...tracks];
  }
  getTracks() {
    return this.tracks;
  }
  getVideoTracks() {
    return this.tracks.filter((t) => t.kind === 'video');
  }
  addTrack(t: FakeTrack) {
    this.tracks.push(t);
  }
}

class FakePc {
  config: RTCConfiguration;
  log: string[] = [];
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  connectionState: RTCPeerConnectionState = 'new';
  onicecandidate: ((e: { candidate: unknown }) => void) | null = null;
  ontrack: ((e: { track: FakeTrack }) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  constructor(config: RTCConfiguration) {
    this.config = config;
  }
  addTrack(t: FakeTrack) {
    this.log.push(`addTrack ${t.kind}`);
  }
  addTransceiver(kind: string, init: { direction: string }) {
    this.log.push(`addTransceiver ${kind} ${init.direction}`);
  }
  async createOffer() {
    return { type: 'offer' as const, sdp: 'offer-sdp' };
  }
  async createAnswer() {
    return { type: 'answer' as const, sdp: 'answer-sdp' };
  }
  async setLocalDescription(d: RTCSessionDescriptionInit) {
    this.localDescription = d;
    this.log.push(`setLocal ${d.type}`);
    // Chromium fires the first candidates right away.
    this.onicecandidate?.({ candidate: { candidate: 'candidate:1 1 udp 5 100.64.0.1 4000 typ relay', sdpMid: '0', sdpMLineIndex: 0 } });
  }
  async setRemoteDescription(d: RTCSessionDescriptionInit) {
    // As in browsers, the description counts as applied only once the operation completes.
    await new Promise((r) => setTimeout(r, 1));
    this.remoteDescription = d;
    this.log.push(`setRemote ${d.type}`);
  }
  async addIceCandidate(c: RTCIceCandidateInit) {
    this.log.push(`addIce ${c.candidate}`);
  }
  close() {
    this.log.push('close');
  }
}

const TURN = { urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' };
const CANDIDATE: Signal = { kind: 'candidate', candidate: 'candidate:2 1 udp 5 100.64.0.2 4001 typ relay', sdpMid: '0', sdpMLineIndex: 0 };

function session(role: 'offerer' | 'answerer', tracks: FakeTrack[]) {
  let pc!: FakePc;
  const sent: Signal[] = [];
  const errors: unknown[] = [];
  const peer = new PeerSession({
    role,
    turn: TURN,
    stream: new FakeStream(tracks) as unknown as MediaStream,
    sendSignal: async (s) => void sent.push(s),
    onRemoteStream: () => {},
    onConnectionState: () => {},
    onError: (e) => errors.push(e),
    createPeerConnection: (config) => (pc = new FakePc(config)) as unknown as RTCPeerConnection,
  });
  return { peer, pc: () => pc, sent, errors };
}

beforeEach(() => {
  vi.stubGlobal('MediaStream', FakeStream);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('PeerSession', () => {
  it('uses only the node’s TURN server', () => {
    expect(iceConfig(TURN)).toEqual({
      iceServers: [{ urls: TURN.urls, username: 'u', credential: 'c' }],
      iceTransportPolicy: 'relay',
    });
  });

  it('offers, sending the offer before any candidate, and skips end-of-candidates', async () => {
    const s = session('offerer', [new FakeTrack('audio'), new FakeTrack('video')]);
    await s.peer.start();
    s.pc().onicecandidate?.({ candidate: null });
    s.pc().onicecandidate?.({ candidate: { candidate: '', sdpMid: '0', sdpMLineIndex: 0 } });
    await Promise.resolve();
    expect(s.sent.map((m) => m.kind)).toEqual(['offer', 'candidate']);
    expect(s.pc().log.slice(0, 3)).toEqual(['addTrack audio', 'addTrack video', 'setLocal offer']);
  });

  it('asks for video even without a camera', () => {
    const s = session('offerer', [new FakeTrack('audio')]);
    expect(s.pc().log).toEqual(['addTrack audio', 'addTransceiver video recvonly']);
  });

  it('answers an offer and queues candidates that came first', async () => {
    const s = session('answerer', [new FakeTrack('audio'), new FakeTrack('video')]);
    await s.peer.start(); // nothing: the caller offers
    expect(s.sent).toEqual([]);
    await s.peer.handleSignal(CANDIDATE);
    expect(s.pc().log.some((line) => line.startsWith('addIce'))).toBe(false);
    await s.peer.handleSignal({ kind: 'offer', sdp: 'offer-sdp' });
    expect(s.pc().log.slice(2)).toEqual(['setRemote offer', 'addIce candidate:2 1 udp 5 100.64.0.2 4001 typ relay', 'setLocal answer']);
    await Promise.resolve();
    expect(s.sent.map((m) => m.kind)).toEqual(['answer', 'candidate']);
    expect(s.errors).toEqual([]);
  });

  it('applies a description that arrives twice only once, without an error', async () => {
    const s = session('offerer', [new FakeTrack('audio')]);
    await s.peer.start();
    await s.peer.handleSignal({ kind: 'answer', sdp: 'answer-sdp' });
    await s.peer.handleSignal({ kind: 'answer', sdp: 'answer-sdp' });
    expect(s.pc().log.filter((l) => l === 'setRemote answer')).toHaveLength(1);
    expect(s.errors).toEqual([]);
  });

  it('applies signals one at a time: a copy of the answer arriving while it is applied is not applied again', async () => {
    const s = session('offerer', [new FakeTrack('audio')]);
    await s.peer.start();
    await Promise.all([
      s.peer.handleSignal({ kind: 'answer', sdp: 'answer-sdp' }),
      s.peer.handleSignal({ kind: 'answer', sdp: 'answer-sdp' }),
      s.peer.handleSignal(CANDIDATE),
    ]);
    expect(s.pc().log.slice(-2)).toEqual(['setRemote answer', 'addIce candidate:2 1 udp 5 100.64.0.2 4001 typ relay']);
    expect(s.errors).toEqual([]);
  });

  it('ignores descriptions meant for the other role, and everything after close', async () => {
    const s = session('offerer', [new FakeTrack('audio')]);
    await s.peer.handleSignal({ kind: 'offer', sdp: 'x' });
    expect(s.pc().remoteDescription).toBeNull();
    s.peer.close();
    await s.peer.handleSignal({ kind: 'answer', sdp: 'y' });
    expect(s.pc().remoteDescription).toBeNull();
    expect(s.pc().log.at(-1)).toBe('close');
  });
});
