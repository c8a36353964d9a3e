import { cpus } from 'node:os';
import { Cleanup, bounded, progress } from './cleanup';
import { type Coturn, coturnPath, findTurnserver, startCoturn } from './coturn';
import { cpuPercent, cpuSnapshot, cpuUsPer } from './cpu';
import { type DatagramPath, bareOverlayPath, rawUdpPath, relayPath } from './paths';
import { median, ratio, round } from './stats';
import { DATAGRAM_BYTES, type PingPongResult, type ThroughputResult, oneWay, pingPong } from './traffic';
import { dropsDelta, udpDrops } from './udp-drops';

// The relay part of the bench: the same datagrams over raw loopback UDP (the baseline), the
// node's relay (TURN -> node -> overlay -> node -> TURN), coturn (the reference relay) and
// two bare overlay forwarders (bare-forwarder.ts: the least two Node.js processes do to carry
// a datagram over HyperDHT, the ceiling for the node's relay), all driven by the same
// generators in this process, alternating so that a busy moment on a shared machine does not
// land on one path only.

export interface RelayBenchOptions {
  roundTrips: number;
  warmup: number;
  targetPps: number;
  pacedMs: number;
  repeats: number;
  maxMs: number;
  maxCount: number;
  ladderPps: number[];
  ladderMs: number;
  targetAddedP99Ms: number;
  /** Minimum unpaced relay throughput as a share of raw UDP's. */
  targetMaxVsRaw: number;
}

type Counted<T> = T & {
  socketDrops: Record<string, number> | null;
  cpuPct: Record<string, number | null>;
  /** CPU µs per delivered datagram (per round trip for ping-pong), by process. */
  cpuUsPerDatagram: Record<string, number | null>;
};
type Run = Counted<ThroughputResult>;

const summarize = (runs: Run[]) => ({
  deliveredPps: median(runs.map((r) => r.deliveredPps)),
  lossPct: median(runs.map((r) => r.lossPct)),
  cpuUsPerDatagram: Object.fromEntries(
    Object.keys(runs[0]?.cpuUsPerDatagram ?? {}).map((k) => {
      const v = runs.map((r) => r.cpuUsPerDatagram[k]).filter((x): x is number => typeof x === 'number');
      return [k, v.length > 0 ? median(v) : null];
    }),
  ),
  runs,
});

// Half the RTT difference at the same percentile: what the relay adds one way.
const added = (path: PingPongResult, raw: PingPongResult) => ({
  p50: round((path.rttMs.p50 - raw.rttMs.p50) / 2),
  p99: round((path.rttMs.p99 - raw.rttMs.p99) / 2),
});

async function referenceRelay(dir: string, cleanup: Cleanup) {
  if (process.env.COPYBARA_BENCH_COTURN === '0') return { server: null, why: 'left out: COPYBARA_BENCH_COTURN=0' } as const;
  const bin = findTurnserver();
  if (!bin)
    return { server: null, why: 'turnserver not found on PATH (Debian/Ubuntu: apt-get install coturn); coturn figures left out' } as const;
  try {
    const server = await startCoturn(bin, dir, cleanup);
    const path = await coturnPath(server, cleanup);
    return { server, path, bin } as const;
  } catch (err) {
    return { server: null, why: `coturn could not be started: ${err instanceof Error ? err.message : String(err)}` } as const;
  }
}

export async function benchRelayPaths(
  cleanup: Cleanup,
  dir: string,
  nodes: { a: { pid: number; profile: string }; b: { pid: number; profile: string; nodeId: string } },
  bootstrap: string,
  o: RelayBenchOptions,
) {
  const raw = await rawUdpPath(cleanup);
  progress('bare overlay: two bare forwarders with one HyperDHT connection between them, the ceiling for the relay');
  const bare = await bareOverlayPath(cleanup, bootstrap);
  progress('relay: call A -> B through the node sockets, TURN clients with bound channels');
  const relay = await relayPath(nodes.a, nodes.b);
  const closeRelay = cleanup.defer('close the relay call', async () => void (await relay.close()));
  progress('coturn: starting turnserver on 127.0.0.1 as the reference relay');
  const ref = await referenceRelay(dir, cleanup);
  const coturn: (DatagramPath & { relayed: string }) | null = ref.server ? ref.path : null;
  const server: Coturn | null = ref.server;
  progress(server ? `coturn: ${server.version ?? 'version unknown'} on 127.0.0.1:${server.port}` : `coturn: ${ref.why}`);

  const pids: Record<string, number> = { bench: process.pid, 'relay-a': nodes.a.pid, 'relay-b': nodes.b.pid, ...bare.pids };
  if (server) pids.coturn = server.pid;
  const counted = async <T extends { delivered: number } | { roundTrips: number }>(run: () => Promise<T>): Promise<Counted<T>> => {
    const before = await udpDrops(pids);
    const cpuBefore = await cpuSnapshot(pids);
    const result = await run();
    const cpuAfter = await cpuSnapshot(pids);
    const items = 'delivered' in result ? result.delivered : result.roundTrips;
    return {
      ...result,
      socketDrops: dropsDelta(before, await udpDrops(pids)),
      cpuPct: cpuPercent(cpuBefore, cpuAfter),
      cpuUsPerDatagram: cpuUsPer(cpuBefore, cpuAfter, items),
    };
  };
  const paths: DatagramPath[] = [raw, relay.path, ...(coturn ? [coturn] : []), bare.path];

  // A few echoes first: proves each path end to end before anything is timed.
  for (const p of paths.slice(1)) await pingPong(p, { roundTrips: 1, warmup: 20, lossTimeoutMs: 1000, budgetMs: 15_000 });

  progress(`latency: ${o.warmup} + ${o.roundTrips} sequential round trips on ${paths.map((p) => p.name).join(', ')}`);
  const rtt = new Map<string, Counted<PingPongResult>>();
  for (const p of paths)
    rtt.set(p.name, await counted(() => pingPong(p, { roundTrips: o.roundTrips, warmup: o.warmup, budgetMs: 60_000 })));
  progress(`latency: RTT p50/p99 ${[...rtt].map(([n, r]) => `${n} ${r.rttMs.p50}/${r.rttMs.p99}`).join(', ')} ms`);

  const runs = async (label: string, opts: { targetPps: number | null; durationMs: number }) => {
    const out = new Map<string, Run[]>(paths.map((p) => [p.name, []]));
    for (let i = 0; i < o.repeats; i++) {
      for (const p of paths) {
        const r = await counted(() => bounded(`${p.name} ${label} run`, () => oneWay(p, { ...opts, maxCount: o.maxCount }), 20_000));
        out.get(p.name)!.push(r);
      }
      progress(
        `throughput: ${label} ${i + 1}/${o.repeats}: ${paths
          .map((p) => {
            const r = out.get(p.name)![i]!;
            return `${p.name} ${r.deliveredPps} pps (${r.lossPct}% lost)`;
          })
          .join(', ')}`,
      );
    }
    return new Map([...out].map(([n, rs]) => [n, summarize(rs)]));
  };

  progress(`throughput: paced ${o.targetPps} pps for ${o.pacedMs} ms, paths alternating, ${o.repeats} times each`);
  const paced = await runs('paced', { targetPps: o.targetPps, durationMs: o.pacedMs });

  progress(`throughput: relay alone paced at ${o.ladderPps.join(', ')} pps for ${o.ladderMs} ms each`);
  const ladder: Run[] = [];
  for (const pps of o.ladderPps) {
    ladder.push(
      await counted(() =>
        bounded(`relay ${pps} pps run`, () => oneWay(relay.path, { targetPps: pps, durationMs: o.ladderMs, maxCount: o.maxCount }), 20_000),
      ),
    );
  }
  progress(`throughput: relay ladder ${ladder.map((l) => `${l.targetPps} pps -> ${l.lossPct}% lost`).join(', ')}`);

  progress(`throughput: unpaced for ${o.maxMs} ms (at most ${o.maxCount} datagrams), paths alternating, ${o.repeats} times each`);
  const max = await runs('max', { targetPps: null, durationMs: o.maxMs });

  // After the flood, is the relay still a working path? (A late check, not a measurement.)
  const after = await pingPong(relay.path, { roundTrips: 50, warmup: 0, lossTimeoutMs: 500, budgetMs: 15_000 }).then(
    (r) => ({ ok: true, lost: r.lost, p50Ms: r.rttMs.p50 }),
    (err: Error) => ({ ok: false, error: err.message }),
  );
  await closeRelay();
  await server?.stop();

  const rawRtt = rtt.get('raw-udp')!;
  const relayRtt = rtt.get('relay')!;
  const coturnRtt = rtt.get('coturn') ?? null;
  const relayAdded = added(relayRtt, rawRtt);
  const pps = (m: typeof max, name: string) => m.get(name)?.deliveredPps ?? NaN;
  const vs = (name: string, base: string) => ({
    throughputRatio: ratio(pps(paced, name), pps(paced, base)),
    maxThroughputRatio: ratio(pps(max, name), pps(max, base)),
    p50Ratio: ratio(rtt.get(name)?.rttMs.p50 ?? NaN, rtt.get(base)?.rttMs.p50 ?? NaN),
    p99Ratio: ratio(rtt.get(name)?.rttMs.p99 ?? NaN, rtt.get(base)?.rttMs.p99 ?? NaN),
  });
  const byName = <T>(m: Map<string, T>) => ({
    rawUdp: m.get('raw-udp')!,
    relay: m.get('relay')!,
    coturn: m.get('coturn') ?? null,
    bareOverlay: m.get('bare-overlay')!,
  });
  return {
    datagramBytes: DATAGRAM_BYTES,
    path: 'TurnClient -> TURN (node A) -> HyperDHT secret-stream datagram (direct link, nodes started with --direct) -> node B -> TURN -> TurnClient, ChannelData on bound channels; both TURN clients live in the bench process',
    relayedAddresses: relay.relayed,
    nodeCallSetupMs: round(relay.callSetupMs, 1),
    coturn: server
      ? {
          available: true,
          version: server.version,
          binary: ref.bin,
          path: 'TurnClient -> coturn (127.0.0.1, long-term credentials) -> plain UDP peer socket and back, ChannelData on a bound channel: one relay hop each way where the node path has two TURN servers and an encrypted overlay hop',
          relayedAddress: coturn!.relayed,
        }
      : { available: false, reason: ref.why },
    bareOverlay: {
      path: 'UDP -> bare forwarder A -> HyperDHT secret-stream datagram (direct) -> bare forwarder B -> UDP (scripts/bench/bare-forwarder.ts: receive, seal, send; receive, open, send; nothing else), two Node.js processes like the two nodes',
      why: 'what two Node.js processes carrying datagrams over HyperDHT reach on this machine: the relay cannot beat it, so a target above it is out of reach for the design, not for the code',
    },
    latency: {
      method: 'sequential ping-pong: the far end echoes every datagram, the next one is sent when the echo arrives',
      ...byName(rtt),
      addedOneWayMs: { ...relayAdded, formula: '(relay RTT - raw RTT) / 2 at the same percentile' },
      coturnAddedOneWayMs: coturnRtt ? added(coturnRtt, rawRtt) : null,
    },
    throughput: {
      paced: {
        method: `${o.targetPps} pps for ${o.pacedMs} ms, the due datagrams sent in one burst per ~1 ms timer tick; ${o.repeats} runs per path, alternating; deliveredPps and lossPct are the medians`,
        ...byName(paced),
      },
      relayLadder: ladder,
      max: {
        method: `unpaced bursts of 64 with setImmediate between them for ${o.maxMs} ms or ${o.maxCount} datagrams; ${o.repeats} runs per path, alternating; deliveredPps and lossPct are the medians`,
        ...byName(max),
      },
      deliveredPps: 'distinct datagrams delivered / max(sending time, first send to last arrival)',
      socketDrops:
        'datagrams the kernel dropped because a UDP receive buffer was full, summed per process over its sockets (/proc/net/udp), during each run; bench = this process (both ends of every path)',
      cpuPct: `CPU time (all threads) each process used during each run, drain wait included, in % of one core (this machine has ${cpus().length}); short runs are coarse`,
      cpuUsPerDatagram:
        'CPU µs (all threads, /proc tick resolution) each process used per delivered datagram during a run: the cost of relaying one datagram, less sensitive to a busy machine than packets/s; medians over the runs',
      endpointRecvBufferBytes: { rawUdp: raw.recvBufferBytes, relay: relay.path.recvBufferBytes, coturn: coturn?.recvBufferBytes ?? null },
    },
    afterFlood: after,
    relayVsRaw: vs('relay', 'raw-udp'),
    coturnVsRaw: coturn ? vs('coturn', 'raw-udp') : null,
    relayVsCoturn: coturn ? vs('relay', 'coturn') : null,
    bareOverlayVsRaw: vs('bare-overlay', 'raw-udp'),
    relayVsBareOverlay: vs('relay', 'bare-overlay'),
    bareOverlayVsCoturn: coturn ? vs('bare-overlay', 'coturn') : null,
    targets: {
      packetsPerSecond: o.targetPps,
      addedLatencyP99Ms: o.targetAddedP99Ms,
      maxThroughputVsRaw: o.targetMaxVsRaw,
      throughputCriterion: `the median paced ${o.targetPps} pps run through the relay delivered >= 99% of the target rate`,
      maxThroughputCriterion: `median unpaced relay throughput >= ${o.targetMaxVsRaw} x raw UDP's and >= coturn's, measured in this run`,
    },
    meetsTarget: {
      throughput: pps(paced, 'relay') >= 0.99 * o.targetPps,
      addedLatencyP99: relayAdded.p99 < o.targetAddedP99Ms,
      maxThroughputVsRaw: pps(max, 'relay') >= o.targetMaxVsRaw * pps(max, 'raw-udp'),
      maxThroughputVsCoturn: coturn ? pps(max, 'relay') >= pps(max, 'coturn') : null,
    },
  };
}
