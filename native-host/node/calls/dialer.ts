import { CopybaraError } from '../../../lib/errors';
import type { Log } from '../../common/log';
import type { Backend, PeerLink } from '../network/backend';
import { type UnreachableWhy, unreachableWhy } from '../network/connect-failure';
import type { Timing } from './timing';

// Reaching the peer's node for one outgoing call.
//
// HyperDHT can report a connection open that the other side never sees (seen with a
// callee whose node started a moment earlier), so a connection counts only once the callee
// answers the ring; until then the dialer redials, within the dial timeout.

export interface DialOptions {
  backend: Backend;
  peerKey: Buffer;
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
}

export type DialOutcome =
  | { kind: 'answered'; link: PeerLink } // the link now belongs to the call
  | { kind: 'failed'; detail: string; why: UnreachableWhy }
  | { kind: 'aborted' };

export async function dial(o: DialOptions): Promise<DialOutcome> {
  const budget = `no answer from the network within ${o.timing.dialTimeout / 1000} s`;
  const deadline = o.now() + o.timing.dialTimeout;
  let attempt = 0;
  for (;;) {
    if (o.signal.aborted) return { kind: 'aborted' };
    const left = deadline - o.now();
    if (left <= 0) return { kind: 'failed', detail: budget, why: 'offline' };
    let link: PeerLink;
    try {
      link = await connect(o, left, budget);
    } catch (err) {
      if (o.signal.aborted) return { kind: 'aborted' };
      return { kind: 'failed', detail: err instanceof CopybaraError ? err.detail : String(err), why: unreachableWhy(err) };
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

// One connection attempt, cut off when the budget runs out or the call ends.
async function connect(o: DialOptions, timeoutMs: number, budget: string): Promise<PeerLink> {
  const abort = new AbortController();
  const onabort = () => abort.abort(o.signal.reason);
  o.signal.addEventListener('abort', onabort, { once: true });
  const timer = setTimeout(() => abort.abort(budget), timeoutMs);
  try {
    return await o.backend.connect(o.peerKey, abort.signal);
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
