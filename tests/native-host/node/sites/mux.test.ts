import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import c from 'compact-encoding';
import Protomux from 'protomux';
import { afterEach, describe, expect, it } from 'vitest';
import { SITE_PROTOCOL, SiteMux, type SiteStream } from '../../../../native-host/node/sites/mux';
import { type FramedEnd, framedPair } from '../../../../testkit/network/framed-pair';

const open: FramedEnd[] = [];

afterEach(() => {
  for (const e of open.splice(0)) e.destroy();
});

function pair(limits = {}): { visitor: SiteMux; site: SiteMux; accepted: SiteStream[]; wire: FramedEnd } {
  const [a, b] = framedPair();
  open.push(a, b);
  const accepted: SiteStream[] = [];
  const visitor = new SiteMux(a, { limits });
  const site = new SiteMux(b, {
    limits,
    onStream: (s) => {
      accepted.push(s);
      // Streams still open when the test ends close with an error; each test checks its own.
      s.on('error', () => {});
    },
  });
  const openStream = visitor.open.bind(visitor);
  visitor.open = () => openStream()?.on('error', () => {}) ?? null;
  return { visitor, site, accepted, wire: a };
}

async function readAll(s: SiteStream, limitMs = 5000): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on('data', (d: Buffer) => chunks.push(d));
  const t = setTimeout(() => s.destroy(new Error(`the stream did not end within ${limitMs} ms`)), limitMs);
  try {
    await once(s, 'end');
  } finally {
    clearTimeout(t);
  }
  return Buffer.concat(chunks);
}

async function until(what: string, ok: () => boolean, limitMs = 5000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('the site multiplexer', () => {
  it('carries bytes both ways on many streams over one connection, each with its end', async () => {
    const { visitor, accepted } = pair();
    const streams = Array.from({ length: 20 }, () => visitor.open()!);
    streams.forEach((s, i) => s.end(`request ${i}`));
    await until('all streams accepted', () => accepted.length === 20);
    const requests = await Promise.all(accepted.map((s) => readAll(s)));
    expect(new Set(requests.map(String))).toEqual(new Set(streams.map((_, i) => `request ${i}`)));
    accepted.forEach((s, i) => s.end(`answer to ${String(requests[i]!)}`));
    const answers = await Promise.all(streams.map((s) => readAll(s)));
    answers.forEach((a, i) => expect(String(a)).toBe(`answer to request ${i}`));
  });

  it('moves much more than a window, intact, to a reader that reads slowly', async () => {
    const { visitor, accepted } = pair({ window: 64 * 1024, chunk: 8 * 1024 });
    const s = visitor.open()!;
    const body = randomBytes(3 * 1024 * 1024);
    s.end(body);
    await until('accepted', () => accepted.length === 1);
    const got: Buffer[] = [];
    const r = accepted[0]!;
    r.pause();
    const reading = (async () => {
      for await (const chunk of r) {
        got.push(chunk as Buffer);
        if (got.length % 50 === 0) await new Promise((res) => setTimeout(res, 1));
      }
    })();
    r.resume();
    await reading;
    const hash = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(hash(Buffer.concat(got))).toBe(hash(body));
  });

  it('never sends past the window while the reader does not read', async () => {
    const { visitor, accepted, wire } = pair({ window: 16 * 1024, chunk: 4 * 1024 });
    const s = visitor.open()!;
    s.write(randomBytes(100 * 1024));
    await until('accepted', () => accepted.length === 1);
    accepted[0]!.pause();
    await new Promise((r) => setTimeout(r, 50));
    const dataBytes = wire.sent.reduce((n, m) => n + m.length, 0);
    // The window, what the reader's own buffer takes before it says stop (16 KiB) and
    // protomux's per-message headers: far below the 100 KiB written.
    expect(dataBytes).toBeGreaterThan(16 * 1024);
    expect(dataBytes).toBeLessThan(32 * 1024 + 2048);
  });

  it('refuses streams beyond the limit, and the refused one closes with an error', async () => {
    const { visitor, accepted } = pair({ maxStreams: 2 });
    const site = accepted;
    visitor.open()!.write('a');
    visitor.open()!.write('b');
    await until('two accepted', () => site.length === 2);
    expect(visitor.open()).toBeNull();
    // The visitor's own limit stops it; a peer that ignores it is refused by the site side:
    const [a, b] = framedPair();
    open.push(a, b);
    const taken: SiteStream[] = [];
    new SiteMux(b, { limits: { maxStreams: 1 }, onStream: (x) => taken.push(x.on('error', () => {})) });
    const greedy = new SiteMux(a, { limits: { maxStreams: 5 } });
    const first = greedy.open()!.on('error', () => {});
    const second = greedy.open()!;
    first.write('x');
    second.write('y');
    const [err] = (await once(second, 'error')) as [Error];
    expect(err.message).toMatch(/closed by the other side/);
    expect(taken).toHaveLength(1);
  });

  it('closes a stream that overruns its window, and only that stream', async () => {
    const [a, b] = framedPair();
    open.push(a, b);
    const taken: SiteStream[] = [];
    const errors: Error[] = [];
    new SiteMux(b, {
      limits: { window: 1024, chunk: 1024 },
      onStream: (x) => {
        taken.push(x);
        x.on('error', (e) => errors.push(e));
      },
    });
    // A peer that ignores credit: speaks the channel's messages by hand.
    const mux = new Protomux(a);
    const ch = mux.createChannel({ protocol: SITE_PROTOCOL, id: Buffer.from([0, 0, 0, 1]) })!;
    const data = ch.addMessage({ encoding: c.raw });
    ch.open();
    data.send(Buffer.alloc(2000));
    await until('the stream closed', () => errors.length === 1);
    expect(errors[0]!.message).toMatch(/more than it was allowed/);
    expect(a.destroyed).toBe(false);
  });

  it('closes a stream on which nothing moves', async () => {
    const { visitor, accepted } = pair({ idleMs: 100 });
    const s = visitor.open()!;
    s.write('hello');
    await until('accepted', () => accepted.length === 1);
    const [err] = (await once(s, 'error')) as [Error];
    expect(err.message).toMatch(/nothing moved/);
  });

  it('ends every stream when the connection goes', async () => {
    const { visitor, accepted, wire } = pair();
    const s = visitor.open()!;
    s.write('x');
    await until('accepted', () => accepted.length === 1);
    const errors: Error[] = [];
    for (const x of [s, accepted[0]!]) x.on('error', (e) => errors.push(e));
    const closed = Promise.all([s, accepted[0]!].map((x) => new Promise((r) => x.once('close', r))));
    wire.destroy();
    await closed;
    expect(errors.map((e) => e.message)).toEqual(['the overlay connection closed', 'the overlay connection closed']);
    expect(visitor.closed).toBe(true);
    expect(visitor.open()).toBeNull();
  });
});
