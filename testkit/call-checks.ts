import { describeError } from '../lib/errors';
import type { Page } from 'playwright-core';

// Checks on a live call tab, read through the page's own RTCPeerConnection.

export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  return (await firstTime(what, timeoutMs, probe, ok, 100)).value;
}

// Polls `probe` every `pollMs` until `ok`; says when (performance.now) it first held, which
// the benchmark times calls by. Every wait is bounded and says what it last saw.
export async function firstTime<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  pollMs: number,
): Promise<{ at: number; value: T }> {
  const deadline = performance.now() + timeoutMs;
  let last: T | undefined;
  let error: unknown = null;
  while (performance.now() < deadline) {
    try {
      last = await probe();
      error = null;
      if (ok(last)) return { at: performance.now(), value: last };
    } catch (err) {
      error = err;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(
    `${what}: not reached within ${timeoutMs} ms; last seen ${JSON.stringify(last)}${error ? `; last error ${describeError(error)}` : ''}`,
  );
}

export async function statusText(page: Page): Promise<string> {
  return (await page.getByRole('status').first().textContent()) ?? '';
}

// Every text the call tab's status takes from now on, even one shown for a moment only (a
// reconnect can take a fraction of a second, shorter than any polling): the page records each
// change itself. Returns a reader of what it has seen so far.
export async function recordStatuses(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const w = window as unknown as { __copybaraStatuses?: string[] };
    const seen: string[] = [];
    w.__copybaraStatuses = seen;
    const note = () => {
      const text = document.querySelector('[role="status"]')?.textContent ?? '';
      if (seen.at(-1) !== text) seen.push(text);
    };
    note();
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => [...((window as unknown as { __copybaraStatuses?: string[] }).__copybaraStatuses ?? [])]);
}

export interface MediaSummary {
  connectionState: string;
  localCandidateType: string | null;
  remoteCandidateType: string | null;
  framesDecoded: number;
  audioPacketsReceived: number;
  remoteVideoFrames: number;
  // The remote video's width once a frame arrived (Firefox counts no painted frames in a
  // headless background tab, so its tests look at this instead).
  remoteVideoWidth: number;
  localSdp: string;
  remoteSdp: string;
}

export function mediaSummary(page: Page): Promise<MediaSummary> {
  return page.evaluate(readMediaInPage);
}

// Runs inside a call tab (any browser's: the Firefox tests hand it to their own driver), so it
// uses nothing from outside itself.
export async function readMediaInPage(): Promise<MediaSummary> {
  const debug = (globalThis as unknown as { copybaraDebug?: { pc(): RTCPeerConnection | null } }).copybaraDebug;
  const pc = debug?.pc() ?? null;
  const video = document.querySelector<HTMLVideoElement>('video[aria-label="Remote video"]');
  const out = {
    connectionState: pc?.connectionState ?? 'none',
    localCandidateType: null as string | null,
    remoteCandidateType: null as string | null,
    framesDecoded: 0,
    audioPacketsReceived: 0,
    remoteVideoFrames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
    remoteVideoWidth: video?.videoWidth ?? 0,
    localSdp: pc?.localDescription?.sdp ?? '',
    remoteSdp: pc?.remoteDescription?.sdp ?? '',
  };
  if (!pc) return out;
  const stats = await pc.getStats();
  const byId = new Map<string, Record<string, unknown>>();
  stats.forEach((s: Record<string, unknown>) => byId.set(s.id as string, s));
  // No named inner functions here: tsx wraps them in a helper the page does not have.
  let selected: Record<string, unknown> | undefined;
  for (const s of byId.values()) {
    // Chromium names the selected pair in its transport; Firefox has no transport stats and
    // marks the pair itself.
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') selected = byId.get(s.selectedCandidatePairId);
    if (s.type === 'candidate-pair' && s.selected === true) selected ??= s;
    if (s.type === 'inbound-rtp' && s.kind === 'video') out.framesDecoded += (s.framesDecoded as number) ?? 0;
    if (s.type === 'inbound-rtp' && s.kind === 'audio') out.audioPacketsReceived += (s.packetsReceived as number) ?? 0;
  }
  if (selected) {
    out.localCandidateType = (byId.get(selected.localCandidateId as string)?.candidateType as string) ?? null;
    out.remoteCandidateType = (byId.get(selected.remoteCandidateId as string)?.candidateType as string) ?? null;
  }
  return out;
}

// Every address an SDP mentions, from connection lines, candidates and rtcp attributes.
export function sdpAddresses(sdp: string): string[] {
  const found: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    let m: RegExpExecArray | null;
    if ((m = /^c=IN IP[46] (\S+)/.exec(line))) found.push(m[1]!);
    if ((m = /^a=rtcp:\d+ IN IP[46] (\S+)/.exec(line))) found.push(m[1]!);
    if ((m = /^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ \S+(?: raddr (\S+))?/.exec(line))) {
      found.push(m[1]!);
      if (m[2]) found.push(m[2]);
    }
  }
  // Anything else that looks like an address, wherever it stands (certificate fingerprints
  // are colon-separated hex too, so their lines are left out of this sweep).
  // The origin line's address is the constant JSEP prescribes ("IN IP4 127.0.0.1", RFC 8829
  // §5.2.1), the same in every browser's every offer, so it tells nobody anything.
  const rest = sdp
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('a=fingerprint:') && !/^o=\S+ \d+ \d+ IN IP4 127\.0\.0\.1$/.test(l))
    .join('\n');
  for (const m of rest.matchAll(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g)) found.push(m[0]);
  for (const m of rest.matchAll(/\b[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}\b/gi)) if (!/^\d+:\d+$/.test(m[0])) found.push(m[0]);
  return [...new Set(found)];
}

// The only addresses allowed: the virtual relayed ones and the "no address" placeholder.
export function foreignAddresses(sdp: string): string[] {
  return sdpAddresses(sdp).filter((a) => a !== '0.0.0.0' && !/^100\.64\.0\.[12]$/.test(a));
}

// Waits until `who`'s call tab has decoded more than `frames` video frames from the peer.
export function framesFlow(tab: Page, who: string, frames = 5, timeoutMs = 30_000): Promise<MediaSummary> {
  return until(
    `media at ${who}`,
    timeoutMs,
    () => mediaSummary(tab),
    (m) => m.framesDecoded > frames,
  );
}
