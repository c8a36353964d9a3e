import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import DHT from 'hyperdht';
import createTestnet from 'hyperdht/testnet.js';
import { decodeNodeId } from '../../lib/node-id';
import { formatBootstrap } from '../../native-host/common/bootstrap';
import type { PeerLink } from '../../native-host/node/network/backend';
import { HyperdhtBackend } from '../../native-host/node/network/hyperdht';
import type { StreamLink } from '../../native-host/node/network/stream-link';
import { privateMode } from '../../testkit/network/private-backend';
import { type Proc, waitForLine } from '../../testkit/processes';
import { Cleanup, bounded, progress, sleep } from './cleanup';
import { cpuMs, cpuPercent, cpuSnapshot, cpuUsPer } from './cpu';
import { RssSampler, rssMB } from './memory';
import type { DatagramPath } from './paths';
import { median, round } from './stats';
import { DATAGRAM_BYTES, type PingPongResult, type ThroughputResult, bothWays, oneWay, pingPong } from './traffic';
import { dropsDelta, udpDrops } from './udp-drops';

// The overlay part of the bench: the path a call's media takes between two nodes, measured
// on HyperdhtBackend links (PeerLink.sendDatagram / 'datagram') on a loopback HyperDHT
// testnet in this process. DIRECT: two backends without privacy. RELAYED: two backends in
// private mode through one blind relay, run as its own process (`copybara-host relay`) so its
// CPU and memory can be read from /proc. The four backends and both ends of each path live in
// this process (one thread), as the relay part's TURN clients do; the two paths are driven by
// the same generators, alternating, so a busy moment on a shared machine does not land on one
// path only.

export interface OverlayBenchOptions {
  /** connect() -> open samples per path; the last connection carries the traffic. */
  connects: number;
  roundTrips: number;
  warmup: number;
  targetPps: number;
  pacedMs: number;
  repeats: number;
  maxMs: number;
  maxCount: number;
  targetLossPct: number;
  targetAddedP99Ms: number;
}

// The relay's rate limits are lifted for the bench (a 20k pkt/s call is ~23 MB/s each way,
// far over the default 2 MB/s a pair): it measures what the relay can carry, not its policy.
const RELAY_RATE = '5GB';

type Spawn = (args: string[], name: string) => { proc: Proc; stop: () => Promise<void> };

type Counted<T> = T & {
  socketDrops: Record<string, number> | null;
  cpuPct: Record<string, number | null>;
  cpuUsPerDatagram: Record<string, number | null>;
};

interface Pair {
  name: 'direct' | 'relayed';
  a: HyperdhtBackend;
  b: HyperdhtBackend;
  bKey: Buffer;
  // Links B accepted, newest last.
  accepted: PeerLink[];
}

interface OpenLink {
  a: StreamLink;
  b: StreamLink;
  setupMs: number;
}

function linkPath(name: string, a: PeerLink, b: PeerLink, recvBufferBytes: number): DatagramPath {
  let atA: (d: Buffer) => void = () => {};
  let atB: (d: Buffer) => void = () => {};
  a.on('datagram', (d) => atA(d));
  b.on('datagram', (d) => atB(d));
  return {
    name,
    recvBufferBytes,
    forward: (d) => a.sendDatagram(d),
    back: (d) => b.sendDatagram(d),
    receivers(toB, toA) {
      atB = toB;
      atA = toA;
    },
  };
}

// SO_RCVBUF of a backend's DHT sockets as the kernel reports it (HyperdhtBackend enlarges them
// on listen()); null if this hyperdht keeps them elsewhere.
function dhtRecvBuffer(b: HyperdhtBackend): number | null {
  const io = (b.dht as unknown as { io?: Record<string, { getRecvBufferSize?(): number } | null> }).io;
  const sizes = [io?.serverSocket, io?.clientSocket].map((s) => {
    try {
      return s?.getRecvBufferSize?.() ?? null;
    } catch {
      return null;
    }
  });
  const known = sizes.filter((x): x is number => typeof x === 'number');
  return known.length > 0 ? Math.min(...known) : null;
}

// The receive buffers (SO_RCVBUF, as `ss -m` reports them) of a process's UDP sockets; null
// when ss is missing or says nothing.
function udpRecvBuffers(pid: number): Promise<number[] | null> {
  return new Promise((resolve) => {
    execFile('ss', ['-uampnH'], { timeout: 5000 }, (err, stdout) => {
      if (err) return resolve(null);
      const lines = stdout.split('\n');
      const sizes: number[] = [];
      lines.forEach((line, i) => {
        if (!line.includes(`pid=${pid},`)) return;
        const m = /rb(\d+)/.exec(line + (lines[i + 1] ?? ''));
        if (m) sizes.push(Number(m[1]));
      });
      resolve(sizes.length > 0 ? sizes : null);
    });
  });
}

async function openLink(pair: Pair): Promise<OpenLink> {
  const before = pair.accepted.length;
  const t0 = performance.now();
  const a = (await pair.a.connect(pair.bKey, AbortSignal.timeout(20_000))) as StreamLink;
  const setupMs = performance.now() - t0;
  const deadline = Date.now() + 10_000;
  while (pair.accepted.length === before) {
    if (Date.now() > deadline) {
      a.close();
      throw new Error(`${pair.name}: B did not see the connection within 10 s of A's open`);
    }
    await sleep(10);
  }
  return { a, b: pair.accepted[pair.accepted.length - 1] as StreamLink, setupMs };
}

function closeLink(l: OpenLink): Promise<void> {
  const closed = (link: StreamLink) =>
    link.closed ? Promise.resolve() : new Promise<void>((resolve) => link.on('close', () => resolve()));
  l.a.close();
  l.b.close();
  // StreamLink destroys a stream its peer does not end within 2 s.
  return bounded('close an overlay link', () => Promise.all([closed(l.a), closed(l.b)]).then(() => {}), 5000);
}

const describeRoute = (link: StreamLink) => ({
  relay: link.route?.relay ? `${link.route.relay.toString('hex').slice(0, 16)}…` : null,
  remoteAddress: link.remoteAddress ? `${link.remoteAddress.host}:${link.remoteAddress.port}` : null,
});

export async function benchOverlay(cleanup: Cleanup, dir: string, spawn: Spawn, o: OverlayBenchOptions) {
  const loadBefore = loadavg().map((l) => round(l, 2));
  progress('overlay: starting a HyperDHT testnet in this process and a blind relay process');
  const testnet = await bounded('overlay testnet', () => createTestnet(3, { host: '127.0.0.1' }), 20_000);
  const stopTestnet = cleanup.defer('destroy the overlay testnet', () => testnet.destroy());
  const relayProfile = join(dir, 'overlay-relay');
  const relayProc = spawn(
    [
      'relay',
      '--profile',
      relayProfile,
      '--bootstrap',
      formatBootstrap(testnet.bootstrap),
      '--max-pair-rate',
      RELAY_RATE,
      '--max-total-rate',
      RELAY_RATE,
    ],
    'overlay relay',
  );
  const keyLine = await waitForLine(relayProc.proc, /^relay key: /, 20_000, 'overlay relay');
  const relayKey = Buffer.from(decodeNodeId(keyLine.slice('relay key: '.length)));
  const relayPid = relayProc.proc.child.pid!;

  const logs: string[] = [];
  const log = (line: string) => void (logs.length < 200 && logs.push(line));
  const backend = (privateRelay: Buffer | null) =>
    new HyperdhtBackend({
      keyPair: DHT.keyPair(),
      bootstrap: testnet.bootstrap,
      log,
      ...(privateRelay ? { privacy: privateMode([privateRelay]) } : {}),
    });
  const pairs: Pair[] = [];
  const closeBackends = cleanup.defer('close the overlay backends', async () => {
    await Promise.all(pairs.flatMap((p) => [p.a.close(), p.b.close()]));
  });
  for (const [name, relay] of [
    ['direct', null],
    ['relayed', relayKey],
  ] as const) {
    const bKeys = DHT.keyPair();
    const b = new HyperdhtBackend({
      keyPair: bKeys,
      bootstrap: testnet.bootstrap,
      log,
      ...(relay ? { privacy: privateMode([relay]) } : {}),
    });
    const pair: Pair = { name, a: backend(relay), b, bKey: bKeys.publicKey, accepted: [] };
    pairs.push(pair);
    await b.listen((link) => pair.accepted.push(link));
    // A listens too, as a node does (and so its sockets get the node's buffer sizes).
    await pair.a.listen((link) => link.close());
  }

  // The relay before it carries anything: CPU over 2 s, and memory.
  await sleep(500);
  const idleBefore = await cpuSnapshot({ relay: relayPid });
  await sleep(2000);
  const relayIdle = { cpuPct: cpuPercent(idleBefore, await cpuSnapshot({ relay: relayPid })).relay, rssMB: await rssMB(relayPid) };
  progress(`overlay: relay idle at ${relayIdle.cpuPct}% CPU, ${relayIdle.rssMB} MB`);

  // Set-up: connect() until the link is open, alternating the paths; the last connection of
  // each path stays open for the traffic.
  progress(`overlay: ${o.connects} connections per path, connect() -> open`);
  const setup = new Map<string, number[]>(pairs.map((p) => [p.name, []]));
  const open = new Map<string, OpenLink>();
  const closeOpen = cleanup.defer('close the overlay links', async () => {
    await Promise.all([...open.values()].map((l) => closeLink(l).catch(() => {})));
  });
  for (let i = 0; i < o.connects; i++) {
    for (const pair of pairs) {
      const l = await openLink(pair);
      setup.get(pair.name)!.push(round(l.setupMs, 1));
      if (i < o.connects - 1) await closeLink(l);
      else open.set(pair.name, l);
    }
  }
  const direct = open.get('direct')!;
  const relayed = open.get('relayed')!;
  // What makes the comparison mean anything: the relayed link runs through the relay (B is
  // not its peer address), the direct one straight to B.
  const bPort = pairs[1]!.b.port;
  if (!relayed.a.route?.relay?.equals(relayKey) || relayed.a.remoteAddress?.port === bPort) {
    throw new Error(`the relayed link does not go through the relay: ${JSON.stringify(describeRoute(relayed.a))}`);
  }
  if (direct.a.route?.relay) throw new Error('the direct link went through a relay');
  const routes = {
    direct: { ...describeRoute(direct.a), peerPort: pairs[0]!.b.port },
    relayed: { ...describeRoute(relayed.a), peerPort: bPort },
  };

  const recv = (p: Pair) => {
    const sizes = [dhtRecvBuffer(p.a), dhtRecvBuffer(p.b)].filter((x): x is number => x !== null);
    return sizes.length > 0 ? Math.min(...sizes) : -1;
  };
  const paths: DatagramPath[] = [
    linkPath('direct', direct.a, direct.b, recv(pairs[0]!)),
    linkPath('relayed', relayed.a, relayed.b, recv(pairs[1]!)),
  ];

  const pids = { bench: process.pid, relay: relayPid };
  const rss = new RssSampler({ relay: relayPid }, 100);
  const stopRss = cleanup.defer('stop the relay memory sampler', async () => void (await rss.stop()));
  const counted = async <T>(items: (r: T) => number, run: () => Promise<T>): Promise<Counted<T>> => {
    const drops = await udpDrops(pids);
    const before = await cpuSnapshot(pids);
    const result = await run();
    const after = await cpuSnapshot(pids);
    return {
      ...result,
      socketDrops: dropsDelta(drops, await udpDrops(pids)),
      cpuPct: cpuPercent(before, after),
      cpuUsPerDatagram: cpuUsPer(before, after, items(result)),
    };
  };

  // A few echoes prove each path end to end; then half a second of the paced traffic on each,
  // not counted, so that neither path's first measured run pays for JIT and buffer warm-up.
  for (const p of paths) await pingPong(p, { roundTrips: 1, warmup: 20, lossTimeoutMs: 1000, budgetMs: 15_000 });
  for (const p of paths)
    await bounded(`${p.name} warm-up`, () => bothWays(p, { targetPps: o.targetPps, durationMs: 500, maxCount: o.maxCount }), 30_000);

  progress(`overlay latency: ${o.warmup} + ${o.roundTrips} sequential round trips per path`);
  const rtt = new Map<string, Counted<PingPongResult>>();
  for (const p of paths)
    rtt.set(
      p.name,
      await counted(
        (r) => r.roundTrips,
        () => pingPong(p, { roundTrips: o.roundTrips, warmup: o.warmup, budgetMs: 60_000 }),
      ),
    );
  progress(`overlay latency: RTT p50/p99 ${[...rtt].map(([n, r]) => `${n} ${r.rttMs.p50}/${r.rttMs.p99}`).join(', ')} ms`);

  type OneWayRun = Counted<ThroughputResult>;
  type BothRun = Counted<{ forward: ThroughputResult; back: ThroughputResult }>;
  const flowOpts = (targetPps: number | null, durationMs: number) => ({ targetPps, durationMs, maxCount: o.maxCount, latency: true });
  const oneWayRuns = new Map<string, OneWayRun[]>(paths.map((p) => [p.name, []]));
  const bothRuns = new Map<string, BothRun[]>(paths.map((p) => [p.name, []]));
  const maxRuns = new Map<string, OneWayRun[]>(paths.map((p) => [p.name, []]));
  // The relay's CPU and peak memory while it carries the paced call, per run.
  const relayLoad: { mode: string; cpuPct: number | null; peakRssMB: number }[] = [];
  const underLoad = async <T>(mode: string, name: string, run: () => Promise<Counted<T>>): Promise<Counted<T>> => {
    if (name !== 'relayed') return run();
    const sampler = new RssSampler({ relay: relayPid }, 100);
    let r: Counted<T>;
    try {
      r = await run();
    } finally {
      await sampler.stop();
    }
    relayLoad.push({ mode, cpuPct: r.cpuPct.relay ?? null, peakRssMB: sampler.peakMB.relay! });
    return r;
  };

  progress(`overlay throughput: paced ${o.targetPps} pkt/s for ${o.pacedMs} ms, one way then both ways, ${o.repeats} times per path`);
  for (let i = 0; i < o.repeats; i++) {
    for (const p of paths) {
      const r = await underLoad('one way', p.name, () =>
        counted(
          (x) => x.delivered,
          () => bounded(`${p.name} paced one-way run`, () => oneWay(p, flowOpts(o.targetPps, o.pacedMs)), 30_000),
        ),
      );
      oneWayRuns.get(p.name)!.push(r);
    }
    for (const p of paths) {
      const r = await underLoad('both ways', p.name, () =>
        counted(
          (x) => x.forward.delivered + x.back.delivered,
          () => bounded(`${p.name} paced two-way run`, () => bothWays(p, flowOpts(o.targetPps, o.pacedMs)), 30_000),
        ),
      );
      bothRuns.get(p.name)!.push(r);
    }
    progress(
      `overlay throughput ${i + 1}/${o.repeats}: ${paths
        .map((p) => {
          const one = oneWayRuns.get(p.name)![i]!;
          const two = bothRuns.get(p.name)![i]!;
          return `${p.name} ${one.deliveredPps} pkt/s (${one.lossPct}% lost), both ways ${two.forward.lossPct}%/${two.back.lossPct}% lost`;
        })
        .join('; ')}`,
    );
  }

  progress(`overlay throughput: unpaced for ${o.maxMs} ms (at most ${o.maxCount} datagrams), ${o.repeats} times per path`);
  for (let i = 0; i < o.repeats; i++) {
    for (const p of paths) {
      maxRuns.get(p.name)!.push(
        await counted(
          (x) => x.delivered,
          () => bounded(`${p.name} unpaced run`, () => oneWay(p, flowOpts(null, o.maxMs)), 30_000),
        ),
      );
    }
  }
  progress(
    `overlay throughput: unpaced ${paths.map((p) => `${p.name} ${median(maxRuns.get(p.name)!.map((r) => r.deliveredPps))} pkt/s`).join(', ')}`,
  );

  // Still a working path through the relay after the flood? (A check, not a measurement.)
  const afterFlood = await pingPong(paths[1]!, { roundTrips: 50, warmup: 0, lossTimeoutMs: 500, budgetMs: 15_000 }).then(
    (r) => ({ ok: true, lost: r.lost, rttP50Ms: r.rttMs.p50, route: describeRoute(relayed.a) }),
    (err: Error) => ({ ok: false, error: err.message }),
  );
  const relayCpuMsTotal = await cpuMs(relayPid);
  const relayRecvBuffers = await udpRecvBuffers(relayPid);
  await stopRss();
  const relayPeakMB = rss.peakMB.relay!;
  await closeOpen();
  await closeBackends();
  const relayLog = relayProc.proc.output.filter((l) => /relay:|relay full/.test(l)).slice(-5);
  await relayProc.stop();
  await stopTestnet();

  // Summaries: medians over the repeats.
  const med = (xs: (number | null | undefined)[]) => {
    const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
    return v.length > 0 ? round(median(v), 3) : null;
  };
  const summarizeOne = (runs: OneWayRun[]) => ({
    sentPps: med(runs.map((r) => r.sentPps)),
    deliveredPps: med(runs.map((r) => r.deliveredPps)),
    lossPct: med(runs.map((r) => r.lossPct)),
    oneWayP50Ms: med(runs.map((r) => r.oneWayMs?.p50)),
    oneWayP99Ms: med(runs.map((r) => r.oneWayMs?.p99)),
    runs,
  });
  const summarizeBoth = (runs: BothRun[]) => ({
    lossPct: { forward: med(runs.map((r) => r.forward.lossPct)), back: med(runs.map((r) => r.back.lossPct)) },
    deliveredPps: { forward: med(runs.map((r) => r.forward.deliveredPps)), back: med(runs.map((r) => r.back.deliveredPps)) },
    oneWayP99Ms: { forward: med(runs.map((r) => r.forward.oneWayMs?.p99)), back: med(runs.map((r) => r.back.oneWayMs?.p99)) },
    runs,
  });
  const one = { direct: summarizeOne(oneWayRuns.get('direct')!), relayed: summarizeOne(oneWayRuns.get('relayed')!) };
  const both = { direct: summarizeBoth(bothRuns.get('direct')!), relayed: summarizeBoth(bothRuns.get('relayed')!) };
  const max = {
    direct: { deliveredPps: med(maxRuns.get('direct')!.map((r) => r.deliveredPps)), runs: maxRuns.get('direct')! },
    relayed: { deliveredPps: med(maxRuns.get('relayed')!.map((r) => r.deliveredPps)), runs: maxRuns.get('relayed')! },
  };
  const rttDirect = rtt.get('direct')!;
  const rttRelayed = rtt.get('relayed')!;
  const diff = (a: number | null, b: number | null) => (a === null || b === null ? null : round(a - b, 3));
  const addedLoaded = {
    p50: diff(one.relayed.oneWayP50Ms, one.direct.oneWayP50Ms),
    p99: diff(one.relayed.oneWayP99Ms, one.direct.oneWayP99Ms),
  };
  const addedIdle = {
    p50: round((rttRelayed.rttMs.p50 - rttDirect.rttMs.p50) / 2, 3),
    p99: round((rttRelayed.rttMs.p99 - rttDirect.rttMs.p99) / 2, 3),
  };
  // Where the paced runs' datagrams were dropped for a full receive buffer, by process.
  const dropsIn = (runs: { socketDrops: Record<string, number> | null }[]) => {
    const out: Record<string, number> = {};
    for (const r of runs) for (const [k, v] of Object.entries(r.socketDrops ?? {})) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const pacedDrops = {
    direct: dropsIn([...oneWayRuns.get('direct')!, ...bothRuns.get('direct')!]),
    relayed: dropsIn([...oneWayRuns.get('relayed')!, ...bothRuns.get('relayed')!]),
  };
  const relayedLoss = one.relayed.lossPct;
  const relayedBothLoss = Math.max(both.relayed.lossPct.forward ?? Infinity, both.relayed.lossPct.back ?? Infinity);
  const directLoss = one.direct.lossPct;
  const loadCpu = (mode: string) => med(relayLoad.filter((l) => l.mode === mode).map((l) => l.cpuPct));
  const setupStat = (v: number[]) => ({ firstMs: v[0]!, medianMs: round(median(v), 1), maxMs: round(Math.max(...v), 1), runsMs: v });

  return {
    datagramBytes: DATAGRAM_BYTES,
    // Other work on the machine takes CPU from this process and the relay alike.
    loadAvg: { before: loadBefore, after: loadavg().map((l) => round(l, 2)) },
    topology: {
      testnet: 'createTestnet(3, { host: 127.0.0.1 }) from hyperdht/testnet.js, in the bench process',
      direct: 'HyperdhtBackend A -> HyperdhtBackend B, no privacy (holepunch-free on loopback)',
      relayed: 'HyperdhtBackend A (private mode) -> blind relay -> HyperdhtBackend B (private mode), both pinned to the one relay',
      relay: `separate process: copybara-host relay --max-pair-rate ${RELAY_RATE} --max-total-rate ${RELAY_RATE} (pid ${relayPid}); its default 2 MB/s a pair would cut a 20k pkt/s call (~${round((o.targetPps * DATAGRAM_BYTES) / 1e6, 1)} MB/s of payload each way)`,
      endpoints:
        'all four backends and both ends of each path run in this process, on one thread: at 20k pkt/s it encrypts, sends, receives and decrypts every datagram, so its CPU (cpuPct.bench) bounds both paths alike',
      routes,
      endpointRecvBufferBytes: { direct: paths[0]!.recvBufferBytes, relayed: paths[1]!.recvBufferBytes },
    },
    setup: {
      method: `backend.connect(key) until the link is open (the promise resolves on the stream's open), ${o.connects} connections per path, alternating; the first of each includes the first DHT lookups`,
      direct: setupStat(setup.get('direct')!),
      relayed: setupStat(setup.get('relayed')!),
      addedMedianMs: round(median(setup.get('relayed')!) - median(setup.get('direct')!), 1),
    },
    latency: {
      idle: {
        method: 'sequential ping-pong (one datagram in flight, the far end echoes it): RTT',
        direct: rttDirect,
        relayed: rttRelayed,
        addedOneWayMs: { ...addedIdle, formula: '(relayed RTT - direct RTT) / 2 at the same percentile' },
      },
      underLoad: {
        method: `one-way send-to-arrival time of every datagram of the paced ${o.targetPps} pkt/s one-way runs, from a timestamp in its payload (both ends in this process: one clock); medians over the runs`,
        direct: { p50Ms: one.direct.oneWayP50Ms, p99Ms: one.direct.oneWayP99Ms },
        relayed: { p50Ms: one.relayed.oneWayP50Ms, p99Ms: one.relayed.oneWayP99Ms },
        addedMs: { ...addedLoaded, formula: 'relayed - direct at the same percentile' },
      },
    },
    throughput: {
      paced: {
        method: `${o.targetPps} pkt/s for ${o.pacedMs} ms, the due datagrams sent in one burst per ~1 ms timer tick; ${o.repeats} runs per path, alternating; figures are medians`,
        oneWay: one,
        bothWays: both,
      },
      max: {
        method: `unpaced bursts of 64 with setImmediate between them, one way, for ${o.maxMs} ms or ${o.maxCount} datagrams; ${o.repeats} runs per path`,
        ...max,
        relayedVsDirect: max.direct.deliveredPps ? round((max.relayed.deliveredPps ?? 0) / max.direct.deliveredPps, 3) : null,
      },
      socketDrops:
        'receive-buffer drops during each run summed over each process’s UDP sockets (/proc/net/udp): bench = both ends, relay = the relay process',
      cpuPct: 'CPU time (all threads) per process during each run, drain wait included, in % of one core',
    },
    relayProcess: {
      pid: relayPid,
      idle: relayIdle,
      carryingOneCall: {
        cpuPctOneWay: loadCpu('one way'),
        cpuPctBothWays: loadCpu('both ways'),
        peakRssMB: relayPeakMB,
        runs: relayLoad,
        cpuUsPerDatagramOneWay: med(oneWayRuns.get('relayed')!.map((r) => r.cpuUsPerDatagram.relay)),
      },
      cpuMsTotal: relayCpuMsTotal,
      udpRecvBufferBytes: relayRecvBuffers,
      lastLogLines: relayLog,
      note: 'CPU % of one core from /proc/<pid>/stat (utime+stime) over each relayed run; RSS (VmRSS) sampled every 100 ms',
    },
    afterFlood,
    backendLogLines: logs.length,
    pacedSocketDrops: {
      ...pacedDrops,
      what: 'receive-buffer drops summed over all paced runs (one way and both ways) of each path, by process: bench = the endpoints, relay = the relay process',
    },
    diagnosis: [
      directLoss !== null && directLoss >= o.targetLossPct
        ? 'the direct path lost datagrams one way too: the endpoints (this process, both ends on one thread) are a limit here, not only the relay'
        : relayedLoss !== null && relayedLoss >= o.targetLossPct
          ? 'the direct path kept up one way and the relayed one did not: the relay (or the extra hop) is the limit'
          : 'both paths carried the paced rate one way',
      (pacedDrops.relayed.relay ?? 0) > 0
        ? `the relay process dropped ${pacedDrops.relayed.relay} datagrams for a full receive buffer (its UDP sockets: ${relayRecvBuffers?.join(', ') ?? 'unknown'} bytes; the nodes': ${paths[1]!.recvBufferBytes})`
        : 'the relay process dropped nothing for a full receive buffer',
    ],
    targets: {
      packetsPerSecond: o.targetPps,
      lossPct: o.targetLossPct,
      addedP99Ms: o.targetAddedP99Ms,
      lossCriterion: `median loss of the paced ${o.targetPps} pkt/s one-way runs through the relay < ${o.targetLossPct}% (bothWays: each direction of the two-way runs)`,
      latencyCriterion: `relayed p99 - direct p99 of the one-way times under that load < ${o.targetAddedP99Ms} ms (idle: the same from ping-pong RTT / 2)`,
    },
    meetsTarget: {
      relayedNoLoss: relayedLoss !== null && relayedLoss < o.targetLossPct,
      relayedNoLossBothWays: relayedBothLoss < o.targetLossPct,
      addedLatencyP99: addedLoaded.p99 !== null && addedLoaded.p99 < o.targetAddedP99Ms,
      addedLatencyP99Idle: addedIdle.p99 < o.targetAddedP99Ms,
    },
  };
}
