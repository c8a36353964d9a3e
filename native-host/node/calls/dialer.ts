import { CopybaraError } from '../../../lib/errors';
import type { Log } from '../../common/log';
import type { Backend, PeerAddress, PeerLink } from '../network/backend';
import { type UnreachableWhy, unreachableWhy } from '../network/connect-failure';
import type { Timing } from './timing';

// Reaching the peer's node for one outgoing call.
//
// HyperDHT can report a connection open that the other side never sees (seen with a
// callee whose node started a moment earlier), so a connection counts only once the callee
// answers the ring; until then the dialer redials, within the dial timeout.
//
// A lookup that finds nobody (PEER_NOT_FOUND) is not the end either: a callee whose node came
// online a moment ago may not be announced yet, or not on the DHT nodes we asked. The dialer
// keeps looking the key up, with a growing pause between lookups, for the whole dial budget.

// The pause after a failed lookup doubles from `first` up to `max` (milliseconds).
export interface DialBackoff {
  first: number;
  max: number;
}

const DEFAULT_DIAL_BACKOFF: DialBackoff = { first: 500, max: 3_000 };

// Causes worth another lookup. 'offline': nobody announces the key yet, or the announced node
// did not answer, which is how a node that is just starting looks. 'relay': in private mode the
// relay chooser has been told the relay failed and may pick another. Not retried: 'refused' (the
// peer said no), 'nat' (HyperDHT already tried its holepunch strategies) and 'unknown'.
const RETRY_CAUSES: ReadonlySet<UnreachableWhy> = new Set(['offline', 'relay']);

export interface DialOptions {
  backend: Backend;
  peerKey: Buffer;
  // What else is known of where the peer is (its Staex id, the network the person prefers).
  peer?: PeerAddress;
  timing: Pick<Timing, 'dialTimeout' | 'ringAckTimeout'>;
  now: () => number;
  log: Log;
  // How log lines name the call.
  label: string;
  // Aborted when the call ends: the dialer then stops and closes what it holds.
  signal: AbortSignal;
  // A fresh connection: the call listens on it and rings before the dialer waits for an
  // answer, so the answer reaches the call too.
  onLink(link: PeerLink): void;
  // A connection that carried no answer, just before the dialer closes it.
  onDrop(link: PeerLink): void;
  // Pauses between lookups that found nobody; DEFAULT_DIAL_BACKOFF unless given.
  backoff?: DialBackoff;
  // Every failure is worth another try within the budget, not only RETRY_CAUSES: for a call that
  // lost its connection, whose peer was there a moment ago and may not have noticed the loss yet
  // (it may still answer through the relay that failed, or refuse what it takes for a stranger).
  persistent?: boolean;
}

export type DialOutcome =
  | { kind: 'answered'; link: PeerLink } // the link now belongs to the call
  | { kind: 'failed'; detail: string; why: UnreachableWhy }
  | { kind: 'aborted' };

export async function dial(o: DialOptions): Promise<DialOutcome> {
  const budget = `no answer from the network within ${o.timing.dialTimeout / 1000} s`;
  const deadline = o.now() + o.timing.dialTimeout;
  const backoff = o.backoff ?? DEFAULT_DIAL_BACKOFF;
  let attempt = 0;
  let lookups = 0;
  let pause = backoff.first;
  // What the last failed lookup said: the reason given if the budget runs out looking.
  let last: { detail: string; why: UnreachableWhy } | null = null;
  for (;;) {
    if (o.signal.aborted) return { kind: 'aborted' };
    const left = deadline - o.now();
    if (left <= 0) return { kind: 'failed', ...(last ?? { detail: budget, why: 'offline' }) };
    let link: PeerLink;
    try {
      link = await connect(o, left, budget);
    } catch (err) {
      if (o.signal.aborted) return { kind: 'aborted' };
      const failure = { detail: err instanceof CopybaraError ? err.detail : String(err), why: unreachableWhy(err) };
      const rest = deadline - o.now();
      if (!o.persistent && !RETRY_CAUSES.has(failure.why)) return { kind: 'failed', ...failure };
      if (rest <= 0) return { kind: 'failed', ...(last ?? failure) };
      last = failure;
      const again = Math.min(pause, rest);
      if (RETRY_CAUSES.has(failure.why))
        o.log(`call ${o.label}: lookup ${++lookups} found no answering node; looking again in ${again} ms`);
      else o.log(`call ${o.label}: connecting failed (${failure.why}: ${failure.detail}); trying again in ${again} ms`);
      if (!(await sleep(again, o.signal))) return { kind: 'aborted' };
      pause = Math.min(pause * 2, backoff.max);
      continue;
    }
    if (o.signal.aborted) {
      link.close();
      return { kind: 'aborted' };
    }
    o.onLink(link);
    if (await heardWithin(link, Math.min(o.timing.ringAckTimeout, deadline - o.now()), o.signal)) {
      return { kind: 'answered', link };
    }
    // The call ended while we waited; whoever ended it has closed the link.
    if (o.signal.aborted) return { kind: 'aborted' };
    o.log(`call ${o.label}: connection ${++attempt} carried no answer; redialling`);
    o.onDrop(link);
    link.close();
  }
}

// Whether a failed connect is worth another lookup. The backend's error carries HyperDHT's own
// error (with its code) as `cause`; without one there is nothing to tell, so no retry.
// Waits `ms`; false if the call ended first.
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (slept: boolean) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onabort);
      resolve(slept);
    };
    const onabort = () => done(false);
    const timer = setTimeout(() => done(true), Math.max(0, ms));
    signal.addEventListener('abort', onabort, { once: true });
  });
}

// One connection attempt, cut off when the budget runs out or the call ends.
async function connect(o: DialOptions, timeoutMs: number, budget: string): Promise<PeerLink> {
  const abort = new AbortController();
  const onabort = () => abort.abort(o.signal.reason);
  o.signal.addEventListener('abort', onabort, { once: true });
  const timer = setTimeout(() => abort.abort(budget), timeoutMs);
  try {
    return await o.backend.connect(o.peerKey, abort.signal, o.peer);
  } finally {
    clearTimeout(timer);
    o.signal.removeEventListener('abort', onabort);
  }
}

// Whether anything at all comes back on `link` within `ms`: any message proves the other
// side sees the connection.
function heardWithin(link: PeerLink, ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (heard: boolean) => {
      clearTimeout(timer);
      link.off('message', onmessage);
      link.off('close', onclose);
      signal.removeEventListener('abort', onclose);
      resolve(heard);
    };
    const onmessage = () => done(true);
    const onclose = () => done(false);
    const timer = setTimeout(onclose, Math.max(0, ms));
    link.on('message', onmessage);
    link.on('close', onclose);
    signal.addEventListener('abort', onclose, { once: true });
  });
}
