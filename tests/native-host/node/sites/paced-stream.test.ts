import { createHash, randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FramedStream, ServiceConnection } from '../../../../native-host/node/network/backend';
import { RELAY_PAIR_RATE_FLOOR } from '../../../../native-host/node/network/relay-rates';
import { SiteMux, type SiteStream } from '../../../../native-host/node/sites/mux';
import { PacedStream, RELAYED_SITE_PACE, siteStream } from '../../../../native-host/node/sites/paced-stream';
import { framedPair } from '../../../../testkit/network/framed-pair';

// What a paced stream writes below it, and when (by the fake clock), with a switch that makes
// the stream below say "wait" as a full secret stream does.
class Below extends EventEmitter implements FramedStream {
  destroyed = false;
  full = false;
  ended = false;
  readonly writes: { at: number; bytes: number; first: number }[] = [];

  write(data: Uint8Array): boolean {
    this.writes.push({ at: Date.now(), bytes: data.length, first: data[0]! });
    return !this.full;
  }

  end(): void {
    this.ended = true;
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }

  pause(): void {}
  resume(): void {}
}

const KB = 1024;
const msg = (n: number, tag: number) => Buffer.alloc(n, tag);

describe('PacedStream', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends its burst at once, then no faster than its rate, whole messages in order', async () => {
    const below = new Below();
    const paced = new PacedStream(below, { perSecond: 100 * KB, burst: 64 * KB }, () => Date.now());
    const start = Date.now();
    for (let i = 0; i < 20; i++) paced.write(msg(16 * KB, i));
    // The burst (four messages) left at once, and one more on credit; the rest waits its turn.
    expect(below.writes.length).toBe(5);
    await vi.advanceTimersByTimeAsync(5000);
    expect(below.writes.map((w) => w.first)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(below.writes.every((w) => w.bytes === 16 * KB)).toBe(true);
    // By the time each message left, no more than burst + rate × elapsed had gone before it.
    let sent = 0;
    for (const w of below.writes) {
      expect(sent, `before the message at ${w.at - start} ms`).toBeLessThanOrEqual(64 * KB + ((w.at - start) / 1000) * 100 * KB);
      sent += w.bytes;
    }
    // 320 KiB at 100 KiB/s after a 64 KiB burst, the last message on credit: it left 2.4 s in.
    expect(below.writes.at(-1)!.at - start).toBeGreaterThanOrEqual(2400);
    expect(below.writes.at(-1)!.at - start).toBeLessThan(2600);
  });

  it('sends a message larger than the burst whole, then waits off the debt', async () => {
    const below = new Below();
    const paced = new PacedStream(below, { perSecond: 10 * KB, burst: 4 * KB }, () => Date.now());
    const start = Date.now();
    paced.write(msg(20 * KB, 1));
    paced.write(msg(1 * KB, 2));
    expect(below.writes.map((w) => w.bytes)).toEqual([20 * KB]);
    await vi.advanceTimersByTimeAsync(1500);
    expect(below.writes.length).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(below.writes.map((w) => w.first)).toEqual([1, 2]);
    expect(below.writes[1]!.at - start).toBe(1600);
  });

  it('asks the writer to wait past its mark, and says drain once the queue has gone', async () => {
    const below = new Below();
    const paced = new PacedStream(below, { perSecond: 64 * KB, burst: 16 * KB }, () => Date.now());
    const answers = Array.from({ length: 8 }, (_, i) => paced.write(msg(16 * KB, i)));
    // Two went at once (the burst, then one on credit); four more queued reach the mark.
    expect(answers).toEqual([true, true, true, true, true, false, false, false]);
    let drained = 0;
    paced.on('drain', () => drained++);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(below.writes.length).toBe(8);
    expect(drained).toBe(1);
    expect(paced.queued).toBe(0);
  });

  it('holds back while the stream below is full, and goes on at its drain', async () => {
    const below = new Below();
    const paced = new PacedStream(below, { perSecond: 1000 * KB, burst: 1000 * KB }, () => Date.now());
    below.full = true;
    expect(paced.write(msg(KB, 1))).toBe(false);
    paced.write(msg(KB, 2));
    await vi.advanceTimersByTimeAsync(1000);
    expect(below.writes.map((w) => w.first)).toEqual([1]);
    let drained = 0;
    paced.on('drain', () => drained++);
    below.full = false;
    below.emit('drain');
    expect(below.writes.map((w) => w.first)).toEqual([1, 2]);
    expect(drained).toBe(1);
  });

  it('ends the stream below only after what was queued, and drops the queue when destroyed', async () => {
    const below = new Below();
    const paced = new PacedStream(below, { perSecond: 10 * KB, burst: 10 * KB }, () => Date.now());
    for (const tag of [1, 2, 3]) paced.write(msg(10 * KB, tag));
    paced.end();
    expect(below.ended).toBe(false);
    expect(paced.write(msg(1, 4))).toBe(false);
    await vi.advanceTimersByTimeAsync(1100);
    expect(below.writes.map((w) => w.first)).toEqual([1, 2, 3]);
    expect(below.ended).toBe(true);

    const other = new Below();
    const cut = new PacedStream(other, { perSecond: 10 * KB, burst: 10 * KB }, () => Date.now());
    for (const tag of [1, 2, 3]) cut.write(msg(10 * KB, tag));
    let closed = false;
    cut.on('close', () => (closed = true));
    cut.destroy();
    await vi.advanceTimersByTimeAsync(5000);
    expect(other.writes.length).toBe(2);
    expect([cut.destroyed, closed, cut.queued]).toEqual([true, true, 0]);
  });
});

describe('siteStream', () => {
  const connection = (relay: Buffer | null, route = true): ServiceConnection => ({
    remoteKey: Buffer.alloc(32),
    route: route ? { relay } : null,
    service: 'site',
    stream: new Below(),
  });

  it('paces a connection through a relay, and no other', () => {
    expect(siteStream(connection(Buffer.alloc(32, 1)))).toBeInstanceOf(PacedStream);
    const direct = connection(null);
    expect(siteStream(direct)).toBe(direct.stream);
    const unknown = connection(null, false);
    expect(siteStream(unknown)).toBe(unknown.stream);
  });

  it('paces below the floor every relay carries', () => {
    expect(RELAYED_SITE_PACE.perSecond).toBeLessThan(RELAY_PAIR_RATE_FLOOR);
    expect(RELAYED_SITE_PACE.burst).toBeLessThan(RELAY_PAIR_RATE_FLOOR);
  });
});

describe('a site mux on a paced connection', () => {
  it('carries a download intact, with the paced queue held near its mark by the mux', async () => {
    const [a, b] = framedPair();
    const paced = new PacedStream(b, { perSecond: 8_000_000, burst: 64 * KB });
    let peak = 0;
    const write = paced.write.bind(paced);
    paced.write = (d) => {
      const ok = write(d);
      peak = Math.max(peak, paced.queued);
      return ok;
    };
    const visitor = new SiteMux(a);
    new SiteMux(paced, {
      onStream: (s: SiteStream) => {
        s.on('error', () => {});
        const body = randomBytes(2 * 1024 * KB);
        s.end(body);
        sent.push(createHash('sha256').update(body).digest('hex'));
      },
    });
    const sent: string[] = [];
    // Four streams at once: without the mux waiting for the connection, each would queue a window.
    const streams = Array.from({ length: 4 }, () => visitor.open()!);
    const hashes = await Promise.all(
      streams.map(async (s) => {
        const h = createHash('sha256');
        s.on('data', (d: Buffer) => h.update(d));
        s.end('go');
        const t = setTimeout(() => s.destroy(new Error('the download did not end within 20 s')), 20_000);
        await once(s, 'end');
        clearTimeout(t);
        return h.digest('hex');
      }),
    );
    expect(sent.length).toBe(4);
    expect([...hashes].sort()).toEqual([...sent].sort());
    // At most the mark plus one message per stream that was already sending.
    expect(peak).toBeLessThan(64 * KB + 4 * 32 * KB + 1);
    a.destroy();
  }, 30_000);
});
