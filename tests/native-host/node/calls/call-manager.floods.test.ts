import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import type { NodeEvent } from '../../../../lib/protocol/native';
import { CallManager } from '../../../../native-host/node/calls/call-manager';
import { FakeBackend, FakeLink, FakeTurn } from '../../../../testkit/calls/fakes';

// Ring floods against the manager with everything around it faked: rings over the limits,
// from blocked keys or from strangers when only contacts may ring never reach the browser
// (no `call` event), and a genuine caller still gets through.

const ME = Buffer.alloc(32, 1);
const FLOODER = Buffer.alloc(32, 2);
const GENUINE = Buffer.alloc(32, 3);
const keyOf = (i: number) => Buffer.alloc(32, 10 + i);

let events: NodeEvent[];
let logs: string[];
let calls: CallManager;

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
  events = [];
  logs = [];
  calls = new CallManager({
    backend: new FakeBackend(),
    turn: new FakeTurn(),
    publicKey: ME,
    emit: (e) => events.push(e),
    log: (l) => logs.push(l),
  });
});
afterEach(() => {
  void calls.close();
  vi.useRealTimers();
});

let seq = 0;
const callId = () => (++seq).toString(16).padStart(32, '0');
// The calls the browser was told are ringing, by caller.
const rang = () => events.flatMap((e) => (e.event === 'call' && e.call.state === 'incoming' ? [e.call.peer] : []));

// One ring from `key`; the caller hangs up after `holdMs` unless told to stay.
async function ringOnce(key: Buffer, holdMs: number | null = 100): Promise<FakeLink> {
  const link = new FakeLink(key);
  link.reply = (m) => (m.type === 'ping' ? { type: 'pong', seq: m.seq } : null);
  calls.accept(link);
  const id = callId();
  link.receive({ type: 'ring', callId: id, name: null, video: true, invitation: null });
  if (holdMs === null) return link;
  await vi.advanceTimersByTimeAsync(holdMs);
  if (!link.closed) link.receive({ type: 'hangup', callId: id, reason: 'hangup' });
  await vi.advanceTimersByTimeAsync(150);
  return link;
}

describe('ring floods', () => {
  it('20 ring/hang-up cycles in 5 s from one key reach the browser 3 times; a genuine caller then rings', async () => {
    const links: FakeLink[] = [];
    for (let i = 0; i < 20; i++) links.push(await ringOnce(FLOODER));
    expect(rang()).toEqual(Array<string>(3).fill(encodeNodeId(FLOODER)));
    // The rest heard busy and were closed without ringing.
    expect(links.slice(3).every((l) => l.types().join() === 'busy' && l.closed)).toBe(true);
    expect(logs.filter((l) => /over 3 per 30 s/.test(l))).toHaveLength(1);

    const genuine = await ringOnce(GENUINE, null);
    expect(rang().at(-1)).toBe(encodeNodeId(GENUINE));
    expect(genuine.types()).toEqual(['ringing']);
  });

  it('a flooder that keeps its ring up holds the line at most for its admitted rings, never with refused ones', async () => {
    // The flooder's 4th ring arrives while a genuine call rings: it hears busy, and the
    // genuine call keeps ringing.
    for (let i = 0; i < 3; i++) await ringOnce(FLOODER);
    const genuine = await ringOnce(GENUINE, null);
    const again = await ringOnce(FLOODER, null);
    expect(again.types()).toEqual(['busy']);
    expect(genuine.closed).toBe(false);
    expect(calls.live()?.peerKey.equals(GENUINE)).toBe(true);
  });

  it('20 ring/hang-up cycles in 5 s from 20 keys reach the browser at most 10 times; a genuine caller rings after the window', async () => {
    for (let i = 0; i < 20; i++) await ringOnce(keyOf(i));
    expect(rang()).toHaveLength(10);
    expect(logs.filter((l) => /from all callers/.test(l))).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(30_000);
    await ringOnce(GENUINE, null);
    expect(rang().at(-1)).toBe(encodeNodeId(GENUINE));
  });

  it('a caller the person answers may ring again at once, however often', async () => {
    for (let i = 0; i < 5; i++) {
      await ringOnce(GENUINE, null);
      const id = seq.toString(16).padStart(32, '0');
      expect(calls.answer(id).state).toBe('active');
      calls.hangup(id);
    }
    expect(rang()).toHaveLength(5);
  });

  it('a blocked key never rings; unblocked, it does', async () => {
    calls.setRingPolicy({ blocked: [encodeNodeId(FLOODER)], allowOnly: null });
    const link = await ringOnce(FLOODER, null);
    expect(link.types()).toEqual(['busy']);
    expect(link.closed).toBe(true);
    expect(rang()).toEqual([]);
    expect(logs.some((l) => /blocked/.test(l))).toBe(true);

    calls.setRingPolicy({ blocked: [], allowOnly: null });
    await ringOnce(FLOODER, null);
    expect(rang()).toEqual([encodeNodeId(FLOODER)]);
  });

  it('when only contacts may ring, others are refused without ringing', async () => {
    calls.setRingPolicy({ blocked: [], allowOnly: [encodeNodeId(GENUINE)] });
    expect((await ringOnce(FLOODER)).types()).toEqual(['busy']);
    await ringOnce(GENUINE, null);
    expect(rang()).toEqual([encodeNodeId(GENUINE)]);
  });

  it('keeps at most 16 connections that have not rung: the oldest is closed, a new caller still rings', async () => {
    const silent = Array.from({ length: 17 }, (_, i) => {
      const link = new FakeLink(keyOf(i));
      calls.accept(link);
      return link;
    });
    expect(silent.map((l) => l.closed)).toEqual([true, ...Array<boolean>(16).fill(false)]);
    await ringOnce(GENUINE, null);
    expect(rang()).toEqual([encodeNodeId(GENUINE)]);
    // The genuine caller's connection made room for nobody: it rang, so it no longer counts.
    calls.accept(new FakeLink(keyOf(30)));
    expect(silent[1]!.closed).toBe(true);
    expect(silent[2]!.closed).toBe(false);
  });
});
