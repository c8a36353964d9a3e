import type { DatagramPath } from './paths';
import { distribution, round, type Distribution } from './stats';

// Traffic generators over a DatagramPath. Each datagram carries a sequence number (bytes
// 0-3) and a run tag (byte 4), so late arrivals from an earlier run are never counted, and
// optionally its send time (bytes 8-15, a float64 of performance.now()).

export const DATAGRAM_BYTES = 1100;

let lastTag = 0;
const nextTag = () => (lastTag = (lastTag % 255) + 1);

function packet(template: Buffer, seq: number): Buffer {
  // A fresh buffer per send: dgram sends are asynchronous and must not see it change.
  const b = Buffer.from(template);
  b.writeUInt32BE(seq, 0);
  return b;
}

function template(tag: number): Buffer {
  const b = Buffer.alloc(DATAGRAM_BYTES, 0x5a);
  b[4] = tag;
  return b;
}

export interface PingPongResult {
  roundTrips: number;
  warmup: number;
  lost: number;
  rttMs: Distribution;
}

/**
 * Sequential ping-pong: A sends, B echoes every datagram back, A sends the next as soon as
 * the echo arrives. A datagram not echoed within `lossTimeoutMs` counts as lost and the next
 * one goes out. Rejects if the whole run takes longer than `budgetMs`.
 */
export function pingPong(
  path: DatagramPath,
  opts: { roundTrips: number; warmup: number; lossTimeoutMs?: number; budgetMs: number },
): Promise<PingPongResult> {
  const total = opts.warmup + opts.roundTrips;
  const lossTimeoutMs = opts.lossTimeoutMs ?? 250;
  const tag = nextTag();
  const tpl = template(tag);
  const samples: number[] = [];
  let seq = 0;
  let sentAt = 0;
  let lost = 0;
  const started = performance.now();

  return new Promise((resolve, reject) => {
    const finish = (err?: Error) => {
      clearInterval(watchdog);
      path.receivers(
        () => {},
        () => {},
      );
      if (err) reject(err);
      else resolve({ roundTrips: samples.length, warmup: opts.warmup, lost, rttMs: distribution(samples) });
    };
    const send = () => {
      sentAt = performance.now();
      path.forward(packet(tpl, seq));
    };
    const advance = () => {
      seq++;
      if (seq >= total) finish();
      else send();
    };
    path.receivers(
      (d) => path.back(d),
      (d) => {
        if (d.length < 5 || d[4] !== tag || d.readUInt32BE(0) !== seq) return;
        const rtt = performance.now() - sentAt;
        if (seq >= opts.warmup) samples.push(rtt);
        advance();
      },
    );
    const watchdog = setInterval(() => {
      const now = performance.now();
      if (now - started > opts.budgetMs) {
        finish(new Error(`${path.name} ping-pong: ${seq}/${total} round trips done within ${opts.budgetMs} ms (${lost} lost)`));
      } else if (now - sentAt > lossTimeoutMs) {
        lost++;
        if (lost > Math.max(50, total / 10))
          finish(new Error(`${path.name} ping-pong: ${lost} datagrams not echoed (after ${seq} of ${total}); the path looks broken`));
        else advance();
      }
    }, 20);
    send();
  });
}

export interface ThroughputResult {
  mode: 'paced' | 'max';
  targetPps: number | null;
  sent: number;
  sendMs: number;
  sentPps: number;
  delivered: number;
  /** Deliveries over the longer of the sending time and first-send-to-last-arrival. */
  deliveredPps: number;
  lossPct: number;
  /**
   * With `latency`: send-to-arrival time of each delivered datagram, from a timestamp the
   * sender writes into it (both ends of a DatagramPath live in this process: one clock).
   */
  oneWayMs?: Distribution;
}

export interface FlowOptions {
  targetPps: number | null;
  durationMs: number;
  maxCount: number;
  /** Stamp each datagram (bytes 8-15) and report the one-way times (oneWayMs). */
  latency?: boolean;
}

/**
 * One-way traffic A -> B, counting distinct deliveries at B.
 * paced: `targetPps` for `durationMs`, the due packets sent in a burst every timer tick
 * (about 1 ms), which leaves the CPU to the relay between ticks.
 * max (targetPps null): bursts of 64 back to back, yielding to the event loop between bursts
 * (so B's receive side in this same process keeps up), for `durationMs` or `maxCount`.
 * After sending, waits until nothing has arrived for 300 ms (at most 3 s).
 */
export async function oneWay(path: DatagramPath, opts: FlowOptions): Promise<ThroughputResult> {
  const [forward] = await flows(path, opts, ['forward']);
  return forward!;
}

/** The same traffic A -> B and B -> A at once, each direction at the full rate. */
export async function bothWays(path: DatagramPath, opts: FlowOptions): Promise<{ forward: ThroughputResult; back: ThroughputResult }> {
  const [forward, back] = await flows(path, opts, ['forward', 'back']);
  return { forward: forward!, back: back! };
}

type Direction = 'forward' | 'back';

interface Flow {
  direction: Direction;
  tag: number;
  tpl: Buffer;
  seen: Uint8Array;
  sent: number;
  delivered: number;
  lastArrival: number;
  delays: number[];
}

async function flows(path: DatagramPath, opts: FlowOptions, directions: Direction[]): Promise<ThroughputResult[]> {
  const all: Flow[] = directions.map((direction) => {
    const tag = nextTag();
    return { direction, tag, tpl: template(tag), seen: new Uint8Array(opts.maxCount), sent: 0, delivered: 0, lastArrival: 0, delays: [] };
  });
  const receiver = (flow: Flow | undefined) => (d: Buffer) => {
    if (!flow || d.length < 5 || d[4] !== flow.tag) return;
    const s = d.readUInt32BE(0);
    if (s >= opts.maxCount || flow.seen[s]) return;
    flow.seen[s] = 1;
    flow.delivered++;
    flow.lastArrival = performance.now();
    if (opts.latency && d.length >= 16) flow.delays.push(flow.lastArrival - d.readDoubleLE(8));
  };
  path.receivers(receiver(all.find((f) => f.direction === 'forward')), receiver(all.find((f) => f.direction === 'back')));
  const send = (flow: Flow) => {
    const b = packet(flow.tpl, flow.sent++);
    if (opts.latency) b.writeDoubleLE(performance.now(), 8);
    if (flow.direction === 'forward') path.forward(b);
    else path.back(b);
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      if (elapsed >= opts.durationMs || all.every((f) => f.sent >= opts.maxCount)) return resolve();
      for (const flow of all) {
        let due: number;
        if (opts.targetPps === null) due = flow.sent + 64;
        else due = Math.floor((elapsed * opts.targetPps) / 1000) + 1;
        // After a stall, catch up in bursts of at most 256 rather than one flood.
        due = Math.min(due, flow.sent + 256, opts.maxCount);
        while (flow.sent < due) send(flow);
      }
      if (opts.targetPps === null) setImmediate(tick);
      else setTimeout(tick, 1);
    };
    tick();
  });
  const sendMs = performance.now() - start;

  const delivered = () => all.reduce((n, f) => n + f.delivered, 0);
  const sent = all.reduce((n, f) => n + f.sent, 0);
  let quietSince = performance.now();
  let lastCount = delivered();
  const drainEnd = performance.now() + 3000;
  while (performance.now() < drainEnd && delivered() < sent) {
    await new Promise((r) => setTimeout(r, 20));
    if (delivered() !== lastCount) {
      lastCount = delivered();
      quietSince = performance.now();
    } else if (performance.now() - quietSince > 300) break;
  }
  path.receivers(
    () => {},
    () => {},
  );
  return all.map((f) => {
    const windowMs = Math.max(sendMs, f.lastArrival - start);
    return {
      mode: opts.targetPps === null ? 'max' : 'paced',
      targetPps: opts.targetPps,
      sent: f.sent,
      sendMs: round(sendMs, 1),
      sentPps: Math.round((f.sent * 1000) / sendMs),
      delivered: f.delivered,
      deliveredPps: Math.round((f.delivered * 1000) / windowMs),
      lossPct: round(f.sent === 0 ? 0 : ((f.sent - f.delivered) / f.sent) * 100, 2),
      ...(opts.latency && f.delays.length > 0 ? { oneWayMs: distribution(f.delays) } : {}),
    };
  });
}
