import { loadavg } from 'node:os';
import { join } from 'node:path';
import { RELAYED_SITE_PACE } from '../../native-host/node/sites/paced-stream';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';
import { type SiteServer, startSiteServer } from '../../testkit/sites';
import { type Proc, waitForLine } from '../../testkit/processes';
import { lineValue, startScript } from './bare-process';
import { Cleanup, bounded, progress } from './cleanup';
import { cpuPercent, cpuSnapshot, cpuUsPer } from './cpu';
import { type Fetched, timedGet } from './site-fetch';
import { distribution, median, ratio, round } from './stats';

// The sites part of the bench: a download and a small page through the visitor's site proxy,
// the overlay and the publisher to a local web server (proxy -> overlay -> publisher), next
// to the same requests straight to that server, in the same run, the two alternating so a
// busy moment on a shared machine does not land on one path only. Twice: with both nodes in
// direct mode (--direct: the overlay connection is holepunched, on loopback straight), and in
// private mode (the default: through the testnet's blind relay, where the publisher paces
// what it sends below the rate every relay carries, so the throughput target does not apply
// there and its figure is compared with that pace instead). Real processes: a testnet with one
// relay, two nodes; the web server, the simulated name chain and the client run in this process.

export interface SitesBenchOptions {
  // Bytes of each timed download, on the direct overlay path and through the relay.
  directBytes: number;
  relayedBytes: number;
  repeats: number;
  // Small-page requests per path for time to first byte.
  pages: number;
  targetThroughputRatio: number;
  targetAddedFirstByteMs: number;
}

type Spawn = (args: string[], name: string) => { proc: Proc; stop: () => Promise<void> };
type Mode = 'direct' | 'relayed';

const HOST = 'pub.azero';

type Cpu = { pct: Record<string, number | null>; msPerMB: Record<string, number | null> };

interface ModeResult {
  // floor: the same download over a bare HyperDHT connection (bare-pipe.ts); direct mode only.
  download: { direct: (Fetched & Cpu)[]; overlay: (Fetched & Cpu)[]; floor: (Fetched & Cpu)[] };
  page: { direct: Fetched[]; overlay: Fetched[] };
  relayPairsJoined: number;
  relayPairsCut: number;
  barePipeWarmUpFailures: number | null;
}

const mbps = (f: Fetched) => f.bodyBytes / 1e6 / (f.doneMs / 1000);

interface BarePipe {
  port: number;
  pids: { bench: number; serve: number; visit: number };
  // Warm-up visits that failed before one went through (a fresh DHT connection can be reset).
  warmUpFailures: number;
  stop(): Promise<void>;
}

// The two bare-pipe.ts processes, ready: a page fetched through them once.
async function startBarePipe(cleanup: Cleanup, bootstrap: string, sitePort: number): Promise<BarePipe> {
  const serve = startScript(cleanup, 'bare-pipe.ts', ['serve', bootstrap, String(sitePort)], 'bare-pipe-serve');
  const key = await lineValue(serve.proc, /^key ([0-9a-f]{64})$/, 'bare pipe (serve)');
  const visit = startScript(cleanup, 'bare-pipe.ts', ['visit', bootstrap, key], 'bare-pipe-visit');
  const port = Number(await lineValue(visit.proc, /^port (\d+)$/, 'bare pipe (visit)'));
  const stop = async () => void (await Promise.all([serve.stop(), visit.stop()]));
  let warmUpFailures = 0;
  for (;;) {
    const why = await timedGet(port, HOST, '/', 10_000).then(
      (f) => (f.status === 200 ? null : `answered ${f.status}`),
      (err: unknown) => (err instanceof Error ? err.message : String(err)),
    );
    if (why === null) break;
    if (++warmUpFailures >= 5) throw new Error(`bare pipe: no page through it in 5 tries; the last: ${why}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { port, pids: { bench: process.pid, serve: serve.proc.child.pid!, visit: visit.proc.child.pid! }, warmUpFailures, stop };
}

async function runMode(
  mode: Mode,
  ctx: { cleanup: Cleanup; dir: string; spawn: Spawn; bootstrap: string; testnet: Proc; chain: SimulatedChain; site: SiteServer },
  o: SitesBenchOptions,
): Promise<ModeResult> {
  const extra = mode === 'direct' ? ['--direct'] : [];
  const start = async (name: string) => {
    const profile = join(ctx.dir, `sites-${mode}-${name}`);
    const args = ['node', '--profile', profile, '--bootstrap', ctx.bootstrap, '--endpoint', ctx.chain.url, ...extra];
    const { proc, stop } = ctx.spawn(args, `sites-${mode}-${name}`);
    const ready = await waitForLine(proc, / node [0-9a-z]{52} ready/, 20_000, `node ${name} (${mode})`);
    const m = / node ([0-9a-z]{52}) ready .*site proxy 127\.0\.0\.1:(\d+)/.exec(ready);
    if (!m) throw new Error(`node ${name} (${mode}): its ready line names no site proxy: ${ready}`);
    return { proc, stop, profile, nodeId: m[1]!, proxyPort: Number(m[2]) };
  };
  progress(`sites (${mode}): starting a publishing node and a visiting node`);
  const [pub, visitor] = await Promise.all([start('publisher'), start('visitor')]);
  let floor: BarePipe | null = null;
  try {
    const publish = ctx.spawn(['publish', String(ctx.site.port), '--profile', pub.profile], `sites-${mode}-publish`);
    await waitForLine(publish.proc, /^publishing http:\/\/127\.0\.0\.1:/, 20_000, 'publish');
    await publish.stop();
    ctx.chain.setRecord('pub', 'copybara-id', pub.nodeId);
    const count = (what: string) => ctx.testnet.output.filter((l) => l.includes(what)).length;
    const pairsBefore = count('relay: pair joined');
    const cutBefore = count('relay: cut a pair');
    // The first visit resolves the name and opens the overlay connection: not timed.
    const first = await timedGet(visitor.proxyPort, HOST, '/', 60_000);
    if (first.status !== 200) throw new Error(`sites (${mode}): the first visit answered ${first.status}`);
    const relayPairsJoined = count('relay: pair joined') - pairsBefore;
    if (mode === 'relayed' && relayPairsJoined === 0)
      throw new Error('sites (relayed): the overlay connection did not go through the relay');
    if (mode === 'direct' && relayPairsJoined > 0) throw new Error('sites (direct): the overlay connection went through a relay');

    const bytes = mode === 'direct' ? o.directBytes : o.relayedBytes;
    const timeout = Math.max(60_000, (bytes / RELAYED_SITE_PACE.perSecond) * 3000);
    const bare = mode === 'direct' ? await startBarePipe(ctx.cleanup, ctx.bootstrap, ctx.site.port) : null;
    floor = bare;
    const out: ModeResult = {
      download: { direct: [], overlay: [], floor: [] },
      page: { direct: [], overlay: [] },
      relayPairsJoined,
      relayPairsCut: 0,
      barePipeWarmUpFailures: bare?.warmUpFailures ?? null,
    };
    const pids = { bench: process.pid, publisher: pub.proc.child.pid!, visitor: visitor.proc.child.pid! };
    // What each process spent on a download: which one bounds the path, less swayed by a busy
    // machine than MB/s (the nodes' share is zero on the straight path).
    const withCpu = async (get: () => Promise<Fetched>, of: Record<string, number> = pids): Promise<Fetched & Cpu> => {
      const before = await cpuSnapshot(of);
      const f = await get();
      const after = await cpuSnapshot(of);
      // Per MB (10^6 bytes), in ms: per-item µs over items of 1000 bytes.
      return { ...f, pct: cpuPercent(before, after), msPerMB: cpuUsPer(before, after, f.bodyBytes / 1000) };
    };
    for (let i = 0; i < o.repeats; i++) {
      const d = await withCpu(() => timedGet(ctx.site.port, `127.0.0.1:${ctx.site.port}`, `/bytes/${bytes}`, timeout));
      const v = await withCpu(() =>
        bounded(`sites (${mode}) download`, () => timedGet(visitor.proxyPort, HOST, `/bytes/${bytes}`, timeout), timeout + 5000),
      );
      const f = bare
        ? await withCpu(
            () => bounded('sites bare pipe download', () => timedGet(bare.port, HOST, `/bytes/${bytes}`, timeout), timeout + 5000),
            bare.pids,
          )
        : null;
      for (const x of f ? [d, v, f] : [d, v])
        if (x.status !== 200 || x.bodyBytes !== bytes) throw new Error(`a download answered ${x.status} with ${x.bodyBytes} bytes`);
      out.download.direct.push(d);
      out.download.overlay.push(v);
      if (f) out.download.floor.push(f);
      progress(
        `sites (${mode}): download ${i + 1}/${o.repeats}: direct ${round(mbps(d), 1)} MB/s, through the overlay ${round(mbps(v), 1)} MB/s (CPU % bench/publisher/visitor ${Object.values(v.pct).join('/')})` +
          (f ? `, bare HyperDHT pipe ${round(mbps(f), 1)} MB/s` : ''),
      );
    }
    for (let i = 0; i < o.pages; i++) {
      out.page.direct.push(await timedGet(ctx.site.port, `127.0.0.1:${ctx.site.port}`, '/', 10_000));
      out.page.overlay.push(await timedGet(visitor.proxyPort, HOST, '/', 10_000));
    }
    out.relayPairsCut = count('relay: cut a pair') - cutBefore;
    progress(
      `sites (${mode}): first byte of a page p50 direct ${round(median(out.page.direct.map((f) => f.firstByteMs)), 2)} ms, through the overlay ${round(median(out.page.overlay.map((f) => f.firstByteMs)), 2)} ms`,
    );
    return out;
  } finally {
    await Promise.all([pub.stop(), visitor.stop(), floor?.stop()]);
  }
}

function cpuMedians(runs: Cpu[]) {
  const med = (pick: (c: Cpu) => Record<string, number | null>) =>
    Object.fromEntries(
      Object.keys(pick(runs[0]!)).map((k) => {
        const v = runs.map((r) => pick(r)[k]).filter((x): x is number => typeof x === 'number');
        return [k, v.length > 0 ? round(median(v), 2) : null];
      }),
    );
  return { pct: med((c) => c.pct), msPerMB: med((c) => c.msPerMB) };
}

// The transport's ceiling next to the product's figure: how far the site code (mux, proxy)
// falls below what a bare HyperDHT connection carries on this machine, and how far that is
// from the straight download.
function barePipeSummary(r: ModeResult, direct: number, overlay: number) {
  const bare = median(r.download.floor.map(mbps));
  return {
    what: 'the same download over one bare HyperDHT connection between two processes (scripts/bench/bare-pipe.ts: TCP piped into a Noise secret stream over UDX and out again; no mux, no proxy, no name), alternating with the other two',
    MBps: round(bare, 1),
    runsMBps: r.download.floor.map((f) => round(mbps(f), 1)),
    vsDirect: ratio(bare, direct),
    overlayVsBarePipe: ratio(overlay, bare),
    warmUpFailures: r.barePipeWarmUpFailures,
    cpu: cpuMedians(r.download.floor),
  };
}

function summarize(mode: Mode, r: ModeResult, o: SitesBenchOptions) {
  const direct = median(r.download.direct.map(mbps));
  const overlay = median(r.download.overlay.map(mbps));
  const first = (fs: Fetched[]) => distribution(fs.map((f) => f.firstByteMs));
  const pageDirect = first(r.page.direct);
  const pageOverlay = first(r.page.overlay);
  const addedP50 = round(pageOverlay.p50 - pageDirect.p50, 3);
  const pace = RELAYED_SITE_PACE.perSecond / 1e6;
  return {
    path:
      mode === 'direct'
        ? 'visitor proxy -> overlay connection straight between the nodes (both --direct) -> publisher -> web server'
        : 'visitor proxy -> overlay connection through the testnet’s blind relay (private mode, the default) -> publisher -> web server; the publisher paces what it sends',
    relayPairsJoined: r.relayPairsJoined,
    // The testnet's relay runs with the default limits: a download over them would be cut.
    relayPairsCut: r.relayPairsCut,
    download: {
      bytes: r.download.direct[0]!.bodyBytes,
      directMBps: round(direct, 1),
      overlayMBps: round(overlay, 1),
      overlayVsDirect: ratio(overlay, direct),
      runsMBps: { direct: r.download.direct.map((f) => round(mbps(f), 1)), overlay: r.download.overlay.map((f) => round(mbps(f), 1)) },
      firstByteMs: { direct: first(r.download.direct), overlay: first(r.download.overlay) },
      ...(mode === 'relayed' ? { paceMBps: pace, overlayVsPace: ratio(overlay, pace) } : {}),
      ...(r.download.floor.length > 0 ? { barePipe: barePipeSummary(r, direct, overlay) } : {}),
      cpu: {
        what: 'CPU (user + system, all threads) of each process during each download: % of one core, and ms per MB carried; medians over the runs',
        direct: cpuMedians(r.download.direct),
        overlay: cpuMedians(r.download.overlay),
      },
    },
    pageFirstByteMs: {
      direct: pageDirect,
      overlay: pageOverlay,
      addedP50Ms: addedP50,
      addedP90Ms: round(pageOverlay.p90 - pageDirect.p90, 3),
    },
    meetsTarget: {
      // Through a relay the pace, not the path, sets the throughput.
      throughput: mode === 'direct' ? (ratio(overlay, direct) ?? 0) >= o.targetThroughputRatio : null,
      addedFirstByte: addedP50 < o.targetAddedFirstByteMs,
    },
  };
}

export async function benchSites(cleanup: Cleanup, dir: string, spawn: Spawn, o: SitesBenchOptions) {
  const loadBefore = loadavg().map((l) => round(l, 2));
  const testnet = spawn(['testnet', '--relays', '1'], 'sites-testnet');
  const bootstrap = await waitForLine(testnet.proc, /^127\.0\.0\.1:\d+/, 20_000, 'testnet');
  await waitForLine(testnet.proc, /^relay key: /, 20_000, 'testnet relay');
  const chain = await startSimulatedChain();
  cleanup.defer('stop the simulated chain', () => chain.close());
  chain.register('pub');
  const site = await startSiteServer();
  cleanup.defer('stop the web server', () => site.close());
  const ctx = { cleanup, dir, spawn, bootstrap, testnet: testnet.proc, chain, site };
  const direct = summarize('direct', await runMode('direct', ctx, o), o);
  const relayed = summarize('relayed', await runMode('relayed', ctx, o), o);
  await testnet.stop();
  return {
    loadAvg: { before: loadBefore, after: loadavg().map((l) => round(l, 2)) },
    method:
      `GET on a fresh TCP connection each (Connection: close), timed from the connect call; downloads of /bytes/N from the web server in this process (generated as sent), ${o.repeats} per path, the straight request and the one through the proxy alternating; ` +
      `${o.pages} small-page requests (GET /, 60 bytes) per path for the first byte. MB = 10^6 bytes. The name resolves on the simulated chain (cached after the first visit).`,
    direct,
    relayed,
    targets: {
      throughputVsDirect: o.targetThroughputRatio,
      addedFirstByteMs: o.targetAddedFirstByteMs,
      criteria:
        'throughput: median overlay MB/s >= that share of the median straight MB/s (direct overlay path only: through a relay the publisher paces at ' +
        `${RELAYED_SITE_PACE.perSecond / 1e6} MB/s by design); first byte: overlay p50 - straight p50 of the small page < that many ms (both paths)`,
    },
    meetsTarget: {
      directThroughput: direct.meetsTarget.throughput,
      directAddedFirstByte: direct.meetsTarget.addedFirstByte,
      relayedAddedFirstByte: relayed.meetsTarget.addedFirstByte,
    },
  };
}
