import { describe, expect, it } from 'vitest';
import { formatBytes, formatRoundTrip, summariseStats } from '../../../lib/webrtc/stats';

// Shaped like Chromium's getStats() during a relay-only call through the node's TURN server.
function chromiumReport(): Map<string, Record<string, unknown>> {
  const stats: Record<string, unknown>[] = [
    { id: 'T01', type: 'transport', selectedCandidatePairId: 'CPa_b', bytesSent: 9000, bytesReceived: 8000 },
    {
      id: 'CPx_y',
      type: 'candidate-pair',
      localCandidateId: 'Ix',
      remoteCandidateId: 'Iy',
      state: 'failed',
      nominated: false,
      bytesSent: 1,
    },
    {
      id: 'CPa_b',
      type: 'candidate-pair',
      localCandidateId: 'Ia',
      remoteCandidateId: 'Ib',
      state: 'succeeded',
      nominated: true,
      bytesSent: 123456,
      bytesReceived: 654321,
      currentRoundTripTime: 0.004,
    },
    { id: 'Ia', type: 'local-candidate', candidateType: 'relay', relayProtocol: 'udp', address: '100.64.0.1' },
    { id: 'Ib', type: 'remote-candidate', candidateType: 'relay', address: '100.64.0.2' },
    { id: 'Ix', type: 'local-candidate', candidateType: 'host' },
    { id: 'Iy', type: 'remote-candidate', candidateType: 'host' },
    { id: 'IT01A', type: 'inbound-rtp', kind: 'audio', packetsReceived: 250, packetsLost: 2, codecId: 'COa' },
    {
      id: 'IT01V',
      type: 'inbound-rtp',
      kind: 'video',
      packetsReceived: 900,
      framesDecoded: 150,
      frameWidth: 640,
      frameHeight: 480,
      codecId: 'COv',
    },
    { id: 'COa', type: 'codec', mimeType: 'audio/opus' },
    { id: 'COv', type: 'codec', mimeType: 'video/VP8' },
    { id: 'OT01A', type: 'outbound-rtp', kind: 'audio', packetsSent: 260 },
  ];
  return new Map(stats.map((s) => [s.id as string, s]));
}

describe('summariseStats', () => {
  it('reads the selected pair and inbound media', () => {
    expect(summariseStats(chromiumReport())).toEqual({
      localCandidateType: 'relay',
      remoteCandidateType: 'relay',
      relayProtocol: 'udp',
      bytesSent: 123456,
      bytesReceived: 654321,
      roundTripTime: 0.004,
      audioPacketsReceived: 250,
      videoPacketsReceived: 900,
      audioPacketsLost: 2,
      framesDecoded: 150,
      frameWidth: 640,
      frameHeight: 480,
      audioCodec: 'opus',
      videoCodec: 'VP8',
    });
  });

  it('finds the pair Firefox marks as selected', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['p1', { id: 'p1', type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', selected: true, bytesReceived: 5 }],
      ['l', { id: 'l', type: 'local-candidate', candidateType: 'relay' }],
      ['r', { id: 'r', type: 'remote-candidate', candidateType: 'srflx' }],
      ['in', { id: 'in', type: 'inbound-rtp', mediaType: 'audio', packetsReceived: 3 }],
    ]);
    const s = summariseStats(report);
    expect([s.localCandidateType, s.remoteCandidateType, s.bytesReceived, s.audioPacketsReceived]).toEqual(['relay', 'srflx', 5, 3]);
  });

  it('falls back to a nominated pair that succeeded', () => {
    const report = new Map<string, Record<string, unknown>>([
      ['p1', { id: 'p1', type: 'candidate-pair', localCandidateId: 'l', remoteCandidateId: 'r', nominated: true, state: 'succeeded' }],
      ['l', { id: 'l', type: 'local-candidate', candidateType: 'relay' }],
    ]);
    expect(summariseStats(report).localCandidateType).toBe('relay');
    expect(summariseStats(report).remoteCandidateType).toBeNull();
  });

  it('is all zeros before anything connected, and ignores junk', () => {
    const report = new Map<string, unknown>([
      ['x', null],
      ['y', { type: 'inbound-rtp' }],
      ['z', { id: 'z', type: 'inbound-rtp', kind: 'video', packetsReceived: 'many', framesDecoded: NaN }],
    ]);
    const s = summariseStats(report);
    expect(s.localCandidateType).toBeNull();
    expect(s.roundTripTime).toBeNull();
    expect(s.bytesReceived).toBe(0);
    expect(s.videoPacketsReceived).toBe(0);
    expect(s.framesDecoded).toBe(0);
  });
});

describe('formatting', () => {
  it('formats bytes and round trips', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KiB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MiB');
    expect(formatRoundTrip(0.0042)).toBe('4 ms');
    expect(formatRoundTrip(null)).toBe('–');
  });
});
