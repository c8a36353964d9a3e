import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SignallingMessage } from '../../../../lib/protocol/signalling';
import { DEFAULT_LINK_LIMITS } from '../../../../native-host/node/network/link-limits';
import { StreamLink } from '../../../../native-host/node/network/stream-link';
import { FakeSecretStream, badFrames, frames } from '../../../../testkit/network/fake-stream';

const ping = (seq: number) => ({ v: 1, type: 'ping', seq });
const offer = (bytes: number): SignallingMessage => ({
  type: 'signal',
  callId: 'a'.repeat(32),
  signal: { kind: 'offer', sdp: 'x'.repeat(bytes) },
});

// A link on a fake stream, a clock the test moves, the lines it logged, what it passed on
// and why it closed. Like the call machine, the listener answers each ping with a pong.
function setup() {
  const stream = new FakeSecretStream();
  const clock = { ms: 0 };
  const lines: string[] = [];
  const link = new StreamLink(stream, (l) => lines.push(l), { now: () => clock.ms });
  const received: SignallingMessage[] = [];
  const closed: string[] = [];
  link.on('message', (m) => {
    received.push(m);
    if (m.type === 'ping') link.send({ type: 'pong', seq: m.seq });
  });
  link.on('close', (reason) => closed.push(reason));
  // Node's streams hand pushed data over on a later tick.
  const peerSends = async (bytes: Buffer) => {
    stream.peerSends(bytes);
    await new Promise((r) => setImmediate(r));
  };
  return { stream, clock, lines, link, received, closed, peerSends };
}

describe('StreamLink against a misbehaving peer', () => {
  it('cuts off a peer after 8 malformed messages: a flood of 13,000 costs 8 rejections and 9 log lines', async () => {
    const t = setup();
    await t.peerSends(badFrames(13_000));
    expect(t.link.closed).toBe(true);
    expect(t.closed).toEqual(['the peer was cut off: it sent 8 malformed messages']);
    expect(t.stream.destroyed).toBe(true);
    expect(t.lines.filter((l) => l.includes('rejected: BAD_MESSAGE'))).toHaveLength(8);
    expect(t.lines).toHaveLength(9);
    expect(t.lines.at(-1)).toMatch(/^link to peer [0-9a-z]{8} cut off: it sent 8 malformed messages$/);
  });

  it('keeps talking to a peer that sent a few messages it could not read (a newer version, say)', async () => {
    const t = setup();
    await t.peerSends(Buffer.concat([badFrames(DEFAULT_LINK_LIMITS.maxBadFrames - 1), frames(ping(7), 1)]));
    expect(t.link.closed).toBe(false);
    expect(t.received).toEqual([{ type: 'ping', seq: 7 }]);
    expect(t.stream.sentMessages()).toEqual([{ v: 1, type: 'pong', seq: 7 }]);
  });

  it('quotes at most 120 characters of what the peer sent, with control characters escaped', async () => {
    const t = setup();
    const type = `x\n2026-01-01T00:00:00.000Z node forged line\u202e${'A'.repeat(100_000)}`;
    await t.peerSends(frames({ v: 1, type }, 1));
    expect(t.lines).toHaveLength(1);
    const line = t.lines[0]!;
    expect(line).toMatch(/^signalling from peer [0-9a-z]{8} rejected: UNKNOWN_TYPE: unknown message type "x\\n2026/);
    expect(line).toContain('\\u202e');
    expect(line).not.toMatch(/[\n\u202e]/);
    expect(line.length).toBeLessThan(200);
  });

  it('cuts off a peer that sends more than 200 messages at once', async () => {
    const t = setup();
    await t.peerSends(frames(ping(1), 200));
    expect(t.link.closed).toBe(false);
    await t.peerSends(frames(ping(2), 1));
    expect(t.closed).toEqual(['the peer was cut off: it sent more than 50 messages a second']);
    expect(t.received).toHaveLength(200);
  });

  it('lets a peer send 50 messages a second for a minute', async () => {
    const t = setup();
    for (let s = 0; s < 60; s++) {
      await t.peerSends(frames(ping(s), 50));
      t.clock.ms += 1000;
    }
    expect(t.link.closed).toBe(false);
    expect(t.received).toHaveLength(3000);
  });

  it('passes on (to the browser) at most 512 KiB of signals at once and 64 KiB a second after that', async () => {
    const t = setup();
    const sdp = (n: number) => frames({ v: 1, type: 'signal', callId: 'a'.repeat(32), signal: { kind: 'offer', sdp: 'x'.repeat(n) } }, 1);
    for (let i = 0; i < 8; i++) await t.peerSends(sdp(60_000));
    expect(t.received).toHaveLength(8);
    t.clock.ms += 1000;
    await t.peerSends(sdp(60_000));
    expect(t.received).toHaveLength(9);
    for (let i = 0; i < 20 && !t.link.closed; i++) await t.peerSends(sdp(60_000));
    expect(t.received).toHaveLength(9);
    expect(t.closed).toEqual(['the peer was cut off: it sent more than 65536 bytes a second']);
  });

  it('cuts off a peer that sends more than 512 KiB at once, before reading any of it', async () => {
    const t = setup();
    await t.peerSends(frames(ping(1), Math.ceil((512 * 1024 + 1) / frames(ping(1), 1).length)));
    expect(t.closed).toEqual(['the peer was cut off: it sent more than 65536 bytes a second']);
    expect(t.received).toEqual([]);
  });
});

describe('StreamLink towards a peer that stopped reading', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // Fills the stream past its 16 KiB mark, as a burst of signalling to a stalled peer would.
  function stall(t: ReturnType<typeof setup>) {
    t.stream.stalled = true;
    for (let i = 0; i < 3; i++) t.link.send(offer(8000));
    expect(t.stream.writableNeedDrain).toBe(true);
    return t.stream.writableLength;
  }

  it('stops answering pings, and cuts the link off when nothing drains for 10 s', async () => {
    const t = setup();
    const queued = stall(t);
    await t.peerSends(frames(ping(1), 100));
    expect(t.received).toHaveLength(100);
    expect(t.stream.writableLength).toBe(queued);
    vi.advanceTimersByTime(9_999);
    expect(t.link.closed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(t.closed).toEqual(['the peer was cut off: it read nothing for 10 s']);
    expect(t.stream.destroyed).toBe(true);
  });

  it('answers pings again once the peer reads, and keeps the link', async () => {
    const t = setup();
    stall(t);
    t.stream.unstall();
    await new Promise((r) => setImmediate(r));
    await t.peerSends(frames(ping(2), 1));
    expect(t.stream.sentMessages().at(-1)).toEqual({ v: 1, type: 'pong', seq: 2 });
    vi.advanceTimersByTime(60_000);
    expect(t.link.closed).toBe(false);
  });

  it('cuts the link off, at once, rather than queue more than 1 MiB for a peer that does not read', () => {
    const t = setup();
    stall(t);
    let sent = 0;
    while (!t.link.closed && sent < 1000) {
      t.link.send(offer(60_000));
      sent++;
    }
    expect(t.closed).toEqual(['the peer was cut off: it left over 1048576 bytes unread']);
    expect(sent).toBeLessThan(20);
    expect(t.stream.destroyed).toBe(true);
  });
});
