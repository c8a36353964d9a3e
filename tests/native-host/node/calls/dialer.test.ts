import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CopybaraError } from '../../../../lib/errors';
import type { PeerLink } from '../../../../native-host/node/network/backend';
import { type DialOptions, type DialOutcome, dial } from '../../../../native-host/node/calls/dialer';
import { PeerUnreachable, classifyConnectFailure } from '../../../../native-host/node/network/connect-failure';
import { FakeBackend, FakeLink } from '../../../../testkit/calls/fakes';

const KEY = Buffer.alloc(32, 7);
const TIMING = { dialTimeout: 15_000, ringAckTimeout: 2_500 };

// A link whose far side answers the ring, and one that never says a word (a connection
// HyperDHT reported open that the callee never saw).
function answering(): FakeLink {
  const link = new FakeLink(KEY);
  link.reply = (m) => (m.type === 'ring' ? { type: 'ringing', callId: m.callId } : null);
  return link;
}
const silent = () => new FakeLink(KEY);

let backend: FakeBackend;
let abort: AbortController;
let logs: string[];
let linked: PeerLink[];
let dropped: PeerLink[];
let heardByCall: string[];

function start(over: Partial<DialOptions> = {}): Promise<DialOutcome> {
  return dial({
    backend,
    peerKey: KEY,
    timing: TIMING,
    now: Date.now,
    log: (l) => logs.push(l),
    label: 'abcdabcd',
    signal: abort.signal,
    // Like the call: listen, then ring.
    onLink: (link) => {
      linked.push(link);
      link.on('message', (m) => heardByCall.push(m.type));
      link.send({ type: 'ring', callId: 'ab'.repeat(16), name: null, video: true, invitation: null });
    },
    onDrop: (link) => dropped.push(link),
    ...over,
  });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
  backend = new FakeBackend();
  abort = new AbortController();
  logs = [];
  linked = [];
  dropped = [];
  heardByCall = [];
});
afterEach(() => vi.useRealTimers());

describe('dial', () => {
  it('a connection that answers the ring is handed over as it is', async () => {
    const link = answering();
    backend.attempts.push({ link });
    const outcome = await start();
    expect(outcome).toEqual({ kind: 'answered', link });
    expect(backend.connects.map((c) => c.key)).toEqual([KEY]);
    expect(link.closed).toBe(false);
    // The call heard the answer too: it listened before the ring went out.
    expect(heardByCall).toEqual(['ringing']);
    expect(dropped).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('redials when a connection carries no answer within ringAckTimeout', async () => {
    const first = silent();
    const second = answering();
    backend.attempts.push({ link: first }, { link: second });
    const pending = start();
    await vi.advanceTimersByTimeAsync(TIMING.ringAckTimeout - 1);
    expect(backend.connects).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const outcome = await pending;
    expect(outcome).toEqual({ kind: 'answered', link: second });
    expect(backend.connects.map((c) => c.at)).toEqual([0, TIMING.ringAckTimeout]);
    expect(dropped).toEqual([first]);
    expect(first.closed).toBe(true);
    expect(second.closed).toBe(false);
    expect(linked).toEqual([first, second]);
    expect(logs).toEqual(['call abcdabcd: connection 1 carried no answer; redialling']);
  });

  it('any message counts as an answer, a pong included', async () => {
    const link = silent();
    backend.attempts.push({ link });
    const pending = start();
    await vi.advanceTimersByTimeAsync(1000);
    link.receive({ type: 'pong', seq: 1 });
    expect(await pending).toEqual({ kind: 'answered', link });
  });

  it('gives up when the dial budget is spent on silent connections', async () => {
    backend.fallback = () => ({ link: silent() });
    const pending = start();
    await vi.advanceTimersByTimeAsync(TIMING.dialTimeout);
    expect(await pending).toMatchObject({ kind: 'failed', detail: 'no answer from the network within 15 s' });
    // One connection every ringAckTimeout, each closed, none past the budget.
    expect(backend.connects.map((c) => c.at)).toEqual([0, 2500, 5000, 7500, 10000, 12500]);
    expect(linked.every((l) => l.closed)).toBe(true);
    expect(logs).toHaveLength(6);
  });

  it('the last wait is cut to what is left of the budget', async () => {
    backend.fallback = () => ({ link: silent() });
    const pending = start({ timing: { dialTimeout: 4_000, ringAckTimeout: 2_500 } });
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await pending).toMatchObject({ kind: 'failed', detail: 'no answer from the network within 4 s' });
    expect(backend.connects.map((c) => c.at)).toEqual([0, 2500]);
  });

  it('a lookup that finds nobody within the budget fails with the budget as the reason', async () => {
    backend.attempts.push('hang');
    const pending = start();
    await vi.advanceTimersByTimeAsync(TIMING.dialTimeout - 1);
    expect(backend.connects).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await pending).toMatchObject({ kind: 'failed', detail: 'no answer from the network within 15 s' });
  });

  it('a connection error ends the dial with its detail; no redial', async () => {
    backend.attempts.push({ error: CopybaraError.UNREACHABLE('peer not found') });
    expect(await start()).toMatchObject({ kind: 'failed', detail: 'peer not found' });
    expect(backend.connects).toHaveLength(1);
    backend.attempts.push({ error: new Error('boom') });
    expect(await start()).toMatchObject({ kind: 'failed', detail: 'Error: boom' });
  });

  it('keeps why the network could not reach the peer, for the words the call ends with', async () => {
    backend.attempts.push({ error: new PeerUnreachable('nat', 'HOLEPUNCH_DOUBLE_RANDOMIZED_NATS: both NATs randomise') });
    expect(await start()).toEqual({ kind: 'failed', detail: 'HOLEPUNCH_DOUBLE_RANDOMIZED_NATS: both NATs randomise', why: 'nat' });
    backend.attempts.push({ error: new PeerUnreachable('no-relay', 'no relay could be reached') });
    expect(await start()).toMatchObject({ why: 'no-relay' });
  });

  it('abort during the lookup: aborted, nothing linked', async () => {
    backend.attempts.push('hang');
    const pending = start();
    await vi.advanceTimersByTimeAsync(100);
    abort.abort('the call ended');
    expect(await pending).toEqual({ kind: 'aborted' });
    expect(linked).toEqual([]);
  });

  it('a connection that arrives after the abort is closed, never linked', async () => {
    const link = answering();
    backend.deaf = true;
    backend.attempts.push({ link });
    const pending = start();
    await vi.advanceTimersByTimeAsync(100);
    abort.abort('the call ended');
    expect(await pending).toEqual({ kind: 'aborted' });
    expect(link.closed).toBe(true);
    expect(linked).toEqual([]);
  });

  it('abort while waiting for the answer: aborted at once, no redial', async () => {
    backend.fallback = () => ({ link: silent() });
    const pending = start();
    await vi.advanceTimersByTimeAsync(1000);
    abort.abort('the call ended');
    expect(await pending).toEqual({ kind: 'aborted' });
    await vi.advanceTimersByTimeAsync(TIMING.dialTimeout);
    expect(backend.connects).toHaveLength(1);
    expect(dropped).toEqual([]);
    expect(logs).toEqual([]);
  });

  it('an already aborted dial does not connect', async () => {
    abort.abort('the call ended');
    expect(await start()).toEqual({ kind: 'aborted' });
    expect(backend.connects).toEqual([]);
  });

  it('a connection that closes before answering is replaced without waiting out ringAckTimeout', async () => {
    const first = silent();
    const second = answering();
    backend.attempts.push({ link: first }, { link: second });
    const pending = start();
    await vi.advanceTimersByTimeAsync(100);
    first.drop('connection reset');
    expect(await pending).toEqual({ kind: 'answered', link: second });
    expect(backend.connects.map((c) => c.at)).toEqual([0, 100]);
  });

  describe('a lookup that finds nobody', () => {
    // How HyperdhtBackend fails: an UNREACHABLE error that keeps the cause of HyperDHT's code.
    const hyperdhtError = (code: string) =>
      new PeerUnreachable(classifyConnectFailure({ code }, { relayed: code === 'HANDSHAKE_UNFINISHED' }), `${code}: ${code}`);
    const notFound = () => ({ error: hyperdhtError('PEER_NOT_FOUND') });

    it('looks again with a growing pause until the node appears', async () => {
      const link = answering();
      backend.attempts.push(notFound(), notFound(), notFound(), notFound(), { link });
      const pending = start();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(await pending).toEqual({ kind: 'answered', link });
      // 500, 1000, 2000, 3000 ms apart (doubling, capped at 3 s).
      expect(backend.connects.map((c) => c.at)).toEqual([0, 500, 1500, 3500, 6500]);
      expect(logs[0]).toBe('call abcdabcd: lookup 1 found no answering node; looking again in 500 ms');
      expect(logs).toHaveLength(4);
    });

    it('keeps looking for the whole budget, then fails with what the last lookup said', async () => {
      backend.fallback = notFound;
      const pending = start();
      await vi.advanceTimersByTimeAsync(TIMING.dialTimeout);
      expect(await pending).toEqual({ kind: 'failed', detail: 'PEER_NOT_FOUND: PEER_NOT_FOUND', why: 'offline' });
      const at = backend.connects.map((c) => c.at);
      expect(at).toEqual([0, 500, 1500, 3500, 6500, 9500, 12500]);
      expect(at.every((t) => t < TIMING.dialTimeout)).toBe(true);
    });

    it('the last pause is cut to what is left of the budget', async () => {
      backend.fallback = notFound;
      const pending = start({ timing: { dialTimeout: 2_000, ringAckTimeout: 2_500 } });
      await vi.advanceTimersByTimeAsync(2_000);
      expect(await pending).toEqual({ kind: 'failed', detail: 'PEER_NOT_FOUND: PEER_NOT_FOUND', why: 'offline' });
      expect(backend.connects.map((c) => c.at)).toEqual([0, 500, 1500]);
    });

    it('a relay that failed, or a handshake that timed out, is retried too', async () => {
      const link = answering();
      backend.attempts.push({ error: hyperdhtError('CHANNEL_CLOSED') }, { error: hyperdhtError('HANDSHAKE_UNFINISHED') }, { link });
      const pending = start({ backoff: { first: 100, max: 100 } });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await pending).toEqual({ kind: 'answered', link });
      expect(backend.connects.map((c) => c.at)).toEqual([0, 100, 200]);
    });

    it('a refusal or a holepunch failure ends the dial at once', async () => {
      for (const code of ['SERVER_ERROR', 'HOLEPUNCH_ABORTED', 'SOMETHING_NEW']) {
        backend.connects = [];
        backend.attempts.push({ error: hyperdhtError(code) });
        expect(await start()).toMatchObject({ kind: 'failed', detail: `${code}: ${code}` });
        expect(backend.connects).toHaveLength(1);
      }
    });

    it('persistent (a call reconnecting): every failure is tried again within the budget', async () => {
      const link = answering();
      backend.attempts.push({ error: hyperdhtError('HOLEPUNCH_ABORTED') }, { error: hyperdhtError('SERVER_ERROR') }, { link });
      const pending = start({ persistent: true, backoff: { first: 100, max: 100 } });
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await pending).toEqual({ kind: 'answered', link });
      expect(backend.connects.map((c) => c.at)).toEqual([0, 100, 200]);
      expect(logs[0]).toBe('call abcdabcd: connecting failed (nat: HOLEPUNCH_ABORTED: HOLEPUNCH_ABORTED); trying again in 100 ms');
      backend.connects = [];
      backend.fallback = () => ({ error: hyperdhtError('SERVER_ERROR') });
      const failing = start({ persistent: true, timing: { dialTimeout: 2_000, ringAckTimeout: 2_500 } });
      await vi.advanceTimersByTimeAsync(2_000);
      expect(await failing).toEqual({ kind: 'failed', detail: 'SERVER_ERROR: SERVER_ERROR', why: 'refused' });
      expect(backend.connects.length).toBeGreaterThan(1);
    });

    it('abort during the pause: aborted, no further lookup', async () => {
      backend.fallback = notFound;
      const pending = start();
      await vi.advanceTimersByTimeAsync(200);
      abort.abort('the call ended');
      expect(await pending).toEqual({ kind: 'aborted' });
      await vi.advanceTimersByTimeAsync(TIMING.dialTimeout);
      expect(backend.connects).toHaveLength(1);
    });

    it('a silent connection after a failed lookup still redials the usual way', async () => {
      const silentOne = silent();
      const link = answering();
      backend.attempts.push(notFound(), { link: silentOne }, { link });
      const pending = start();
      await vi.advanceTimersByTimeAsync(500 + TIMING.ringAckTimeout);
      expect(await pending).toEqual({ kind: 'answered', link });
      expect(backend.connects.map((c) => c.at)).toEqual([0, 500, 500 + TIMING.ringAckTimeout]);
      expect(dropped).toEqual([silentOne]);
    });
  });
});
