// Turns an RTCStatsReport into the handful of numbers the "Call details" view shows. Pure:
// it takes anything with `values()` (a real RTCStatsReport, or a Map in tests), so the
// parsing is tested without a browser. Field names: W3C "Identifiers for WebRTC's
// Statistics API" (candidate-pair, transport, local-candidate, inbound-rtp, codec).

export interface StatsSummary {
  localCandidateType: string | null;
  remoteCandidateType: string | null;
  relayProtocol: string | null;
  bytesSent: number;
  bytesReceived: number;
  roundTripTime: number | null; // seconds
  audioPacketsReceived: number;
  videoPacketsReceived: number;
  audioPacketsLost: number;
  framesDecoded: number;
  frameWidth: number | null;
  frameHeight: number | null;
  audioCodec: string | null;
  videoCodec: string | null;
}

export interface StatsLike {
  values(): Iterable<unknown>;
}

type Stat = Record<string, unknown> & { id: string; type: string };

function isStat(v: unknown): v is Stat {
  return typeof v === 'object' && v !== null && typeof (v as Stat).id === 'string' && typeof (v as Stat).type === 'string';
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function maybeNum(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function text(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

// Stats refer to each other by id strings; anything else refers to nothing.
function idOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

// The pair ICE is using: the transport names it (Chromium, current Firefox); older Firefox
// marks it `selected`; failing both, a nominated pair that succeeded.
function selectedPair(byId: Map<string, Stat>, all: Stat[]): Stat | null {
  for (const s of all) {
    if (s.type !== 'transport') continue;
    const pair = byId.get(idOf(s.selectedCandidatePairId));
    if (pair) return pair;
  }
  const pairs = all.filter((s) => s.type === 'candidate-pair');
  return pairs.find((p) => p.selected === true) ?? pairs.find((p) => p.nominated === true && p.state === 'succeeded') ?? null;
}

function codecName(byId: Map<string, Stat>, codecId: unknown): string | null {
  const codec = byId.get(idOf(codecId));
  const mime = codec ? text(codec.mimeType) : null;
  return mime ? mime.replace(/^(audio|video)\//, '') : null;
}

export function summariseStats(report: StatsLike): StatsSummary {
  const all = [...report.values()].filter(isStat);
  const byId = new Map(all.map((s) => [s.id, s] as const));
  const pair = selectedPair(byId, all);
  const local = pair ? byId.get(idOf(pair.localCandidateId)) : undefined;
  const remote = pair ? byId.get(idOf(pair.remoteCandidateId)) : undefined;

  const out: StatsSummary = {
    localCandidateType: text(local?.candidateType),
    remoteCandidateType: text(remote?.candidateType),
    relayProtocol: text(local?.relayProtocol),
    bytesSent: num(pair?.bytesSent),
    bytesReceived: num(pair?.bytesReceived),
    roundTripTime: maybeNum(pair?.currentRoundTripTime),
    audioPacketsReceived: 0,
    videoPacketsReceived: 0,
    audioPacketsLost: 0,
    framesDecoded: 0,
    frameWidth: null,
    frameHeight: null,
    audioCodec: null,
    videoCodec: null,
  };

  for (const s of all) {
    if (s.type !== 'inbound-rtp') continue;
    // `kind` is current; `mediaType` is what older browsers called it.
    const kind = s.kind ?? s.mediaType;
    if (kind === 'audio') {
      out.audioPacketsReceived += num(s.packetsReceived);
      out.audioPacketsLost += Math.max(0, num(s.packetsLost));
      out.audioCodec ??= codecName(byId, s.codecId);
    } else if (kind === 'video') {
      out.videoPacketsReceived += num(s.packetsReceived);
      out.framesDecoded += num(s.framesDecoded);
      out.frameWidth ??= maybeNum(s.frameWidth);
      out.frameHeight ??= maybeNum(s.frameHeight);
      out.videoCodec ??= codecName(byId, s.codecId);
    }
  }
  return out;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatRoundTrip(seconds: number | null): string {
  return seconds === null ? '–' : `${Math.round(seconds * 1000)} ms`;
}
