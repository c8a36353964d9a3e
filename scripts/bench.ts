import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { EXTENSION_DIR, CHROMIUM, launchPerson } from '../testkit/browser';
import type { Side } from '../testkit/call-flow';
import { leftovers } from '../testkit/leftovers';
import { ROOT, type Proc, cli, tempDir, waitForLine } from '../testkit/processes';
import { installLauncher, timeBareNode, timeBridgeOnce } from './bench/bridge';
import { POLL_MS, type CallTiming, timeOneCall } from './bench/call-setup';
import { Cleanup, bounded, progress, sleep } from './bench/cleanup';
import { RssSampler, rssMB } from './bench/memory';
import { rawUdpPath, relayPath } from './bench/paths';
import { round, median, ratio } from './bench/stats';
import { DATAGRAM_BYTES, oneWay, pingPong } from './bench/traffic';
import { dropsDelta, udpDrops } from './bench/udp-drops';
import { benchNames } from './bench/names';
import { cpuPercent, cpuSnapshot } from './bench/cpu';

// `npm run bench`: the numbers the issue sets targets for, measured on this machine with the
// product's real processes on 127.0.0.1, printed as one JSON object on stdout (and saved in
// bench-results/). Targets are reported as meetsTarget booleans, never asserted: the script
// fails only when it cannot measure.
//
//   1. relay: 1,100-byte datagrams TURN -> node -> overlay -> node -> TURN, against raw
//      loopback UDP measured in the same run: ping-pong RTT and one-way packets/s;
//   2. node memory (VmRSS) idle, under relay load, and during Chromium calls;
//   3. call set-up in two real Chromium profiles with the built extension;
//   4. how fast a freshly spawned native-messaging bridge answers when the node runs.

const envInt = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`${name} must be a positive whole number, not "${v}"`);
  return Number(v);
};

const CALLS = envInt('COPYBARA_BENCH_CALLS', 5);
const ROUND_TRIPS = envInt('COPYBARA_BENCH_ROUNDTRIPS', 2000);
const WARMUP = 200;
const TARGET_PPS = 20_000;
const PACED_MS = 2000;
// The paced runs repeat (raw and relay alternating): on a shared 2-core machine one run can
// land on a bad moment, and the spread is part of the answer.
const PACED_REPEATS = envInt('COPYBARA_BENCH_REPEATS', 3);
const MAX_MS = 1000;
const MAX_COUNT = 100_000;
// Lower paced rates through the relay alone, to show where loss starts.
const LADDER_PPS = [5000, 10_000, 15_000];
const LADDER_MS = 1000;
const BRIDGE_RUNS = 5;
const TARGETS = { relayPps: TARGET_PPS, addedLatencyP99Ms: 1, nodeRssMB: 80, callSetupMedianMs: 1000 };
const BUDGET_MS = 300_000;
const ECHO = process.env.COPYBARA_TEST_LOGS === '1';

const cleanup = new Cleanup();
const spawned: Proc[] = [];
let tempRoot: string | null = null;

function started(proc: Proc, name: string): () => Promise<void> {
  spawned.push(proc);
  return cleanup.defer(`stop ${name}`, () => proc.stop());
}

async function startTestnetProc(): Promise<string> {
  const proc = cli(['testnet'], { name: 'testnet', echo: ECHO });
  started(proc, 'testnet');
  return waitForLine(proc, /^127\.0\.0\.1:\d+/, 20_000, 'testnet');
}

interface RunningNode {
  name: string;
  proc: Proc;
  pid: number;
  nodeId: string;
  profile: string;
  stop(): Promise<void>;
}

async function startNodeProc(root: string, name: string, bootstrap: string): Promise<RunningNode> {
  const profile = join(root, `${name}-node`);
  const proc = cli(['node', '--profile', profile, '--bootstrap', bootstrap], { name, echo: ECHO });
  const stop = started(proc, `node ${name}`);
  const ready = await waitForLine(proc, / node [0-9a-z]{52} ready/, 20_000, `node ${name}`);
  return { name, proc, pid: proc.child.pid!, nodeId: /node ([0-9a-z]{52}) ready/.exec(ready)![1]!, profile, stop };
}

function chromiumVersion(): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(CHROMIUM, ['--version'], { timeout: 5000 }, (err, stdout) => resolve(err ? null : stdout.trim()));
  });
}

const stat = (values: number[]) => ({ median: round(median(values), 1), max: round(Math.max(...values), 1), values });

async function idleRss(nodes: RunningNode[]): Promise<Record<string, number>> {
  // Let start-up garbage settle a moment; "idle" is before any call.
  await sleep(1000);
  const out: Record<string, number> = {};
  for (const n of nodes) out[n.name] = await rssMB(n.pid);
  return out;
}

async function benchRelay(root: string, bootstrap: string) {
  progress('relay: starting two nodes');
  const [a, b] = await Promise.all([startNodeProc(root, 'relay-a', bootstrap), startNodeProc(root, 'relay-b', bootstrap)]);
  const idle = await idleRss([a, b]);
  progress(`relay: nodes idle at ${idle['relay-a']} / ${idle['relay-b']} MB`);

  progress(`bridge: ${BRIDGE_RUNS} fresh bridges asking a running node for its status`);
  const launcher = await installLauncher(a.profile, join(root, 'bridge-chromium'), bootstrap);
  const bridgeMs: number[] = [];
  for (let i = 0; i < BRIDGE_RUNS; i++) bridgeMs.push(round(await timeBridgeOnce(cleanup, launcher, a.nodeId), 1));
  const bareNodeMs: number[] = [];
  for (let i = 0; i < BRIDGE_RUNS; i++) bareNodeMs.push(round(await timeBareNode(cleanup), 1));

  const raw = await rawUdpPath(cleanup);
  const sampler = new RssSampler({ 'relay-a': a.pid, 'relay-b': b.pid }, 100);
  const stopSampler = cleanup.defer('stop the memory sampler', async () => {
    await sampler.stop();
  });
  progress('relay: call A -> B through the node sockets, TURN clients with bound channels');
  const relay = await relayPath(a, b);
  const closeRelay = cleanup.defer('close the relay call', async () => void (await relay.close()));

  const dropPids = { bench: process.pid, 'relay-a': a.pid, 'relay-b': b.pid };
  const counted = async <T extends object>(
    run: () => Promise<T>,
  ): Promise<T & { socketDrops: Record<string, number> | null; cpuPct: Record<string, number | null> }> => {
    const before = await udpDrops(dropPids);
    const cpuBefore = await cpuSnapshot(dropPids);
    const result = await run();
    const cpuAfter = await cpuSnapshot(dropPids);
    return { ...result, socketDrops: dropsDelta(before, await udpDrops(dropPids)), cpuPct: cpuPercent(cpuBefore, cpuAfter) };
  };

  // A few echoes first: proves the path end to end before anything is timed.
  await pingPong(relay.path, { roundTrips: 1, warmup: 20, lossTimeoutMs: 1000, budgetMs: 15_000 });

  const latencyBudget = 60_000;
  progress(`latency: ${WARMUP} + ${ROUND_TRIPS} sequential round trips, raw UDP then relay`);
  const rawRtt = await counted(() => pingPong(raw, { roundTrips: ROUND_TRIPS, warmup: WARMUP, budgetMs: latencyBudget }));
  const relayRtt = await counted(() => pingPong(relay.path, { roundTrips: ROUND_TRIPS, warmup: WARMUP, budgetMs: latencyBudget }));
  progress(`latency: RTT p50/p99 raw ${rawRtt.rttMs.p50}/${rawRtt.rttMs.p99} ms, relay ${relayRtt.rttMs.p50}/${relayRtt.rttMs.p99} ms`);

  progress(`throughput: paced ${TARGET_PPS} pps for ${PACED_MS} ms, raw UDP and relay alternating, ${PACED_REPEATS} times each`);
  const paced = { targetPps: TARGET_PPS, durationMs: PACED_MS, maxCount: MAX_COUNT };
  type Counted = Awaited<ReturnType<typeof oneWay>> & Awaited<ReturnType<typeof counted>>;
  const rawRuns: Counted[] = [];
  const relayRuns: Counted[] = [];
  for (let i = 0; i < PACED_REPEATS; i++) {
    const r = await counted(() => bounded('raw paced run', () => oneWay(raw, paced), 20_000));
    const t = await counted(() => bounded('relay paced run', () => oneWay(relay.path, paced), 20_000));
    rawRuns.push(r);
    relayRuns.push(t);
    progress(`throughput: paced ${i + 1}/${PACED_REPEATS}: raw ${r.deliveredPps} pps (${r.lossPct}% lost), relay ${t.deliveredPps} pps (${t.lossPct}% lost)`);
  }
  const summarize = (runs: Counted[]) => ({
    deliveredPps: median(runs.map((r) => r.deliveredPps)),
    lossPct: median(runs.map((r) => r.lossPct)),
    runs,
  });
  const rawPaced = summarize(rawRuns);
  const relayPaced = summarize(relayRuns);

  progress(`throughput: relay alone paced at ${LADDER_PPS.join(', ')} pps for ${LADDER_MS} ms each`);
  const ladder: Counted[] = [];
  for (const pps of LADDER_PPS) {
    ladder.push(await counted(() => bounded(`relay ${pps} pps run`, () => oneWay(relay.path, { targetPps: pps, durationMs: LADDER_MS, maxCount: MAX_COUNT }), 20_000)));
  }
  progress(`throughput: relay ladder ${ladder.map((l) => `${l.targetPps} pps -> ${l.lossPct}% lost`).join(', ')}`);

  progress(`throughput: unpaced for ${MAX_MS} ms (at most ${MAX_COUNT} datagrams), raw UDP then relay`);
  const unpaced = { targetPps: null, durationMs: MAX_MS, maxCount: MAX_COUNT };
  const rawMax = await counted(() => bounded('raw max run', () => oneWay(raw, unpaced), 20_000));
  const relayMax = await counted(() => bounded('relay max run', () => oneWay(relay.path, unpaced), 20_000));
  progress(`throughput: max raw ${rawMax.deliveredPps} pps (${rawMax.lossPct}% lost), relay ${relayMax.deliveredPps} pps (${relayMax.lossPct}% lost)`);

  // After the flood, is the relay still a working path? (A late check, not a measurement.)
  const after = await pingPong(relay.path, { roundTrips: 50, warmup: 0, lossTimeoutMs: 500, budgetMs: 15_000 }).then(
    (r) => ({ ok: true, lost: r.lost, p50Ms: r.rttMs.p50 }),
    (err: Error) => ({ ok: false, error: err.message }),
  );

  await stopSampler();
  const load = sampler.peakMB;
  await closeRelay();
  await Promise.all([a.stop(), b.stop()]);

  const addedP50 = (relayRtt.rttMs.p50 - rawRtt.rttMs.p50) / 2;
  const addedP99 = (relayRtt.rttMs.p99 - rawRtt.rttMs.p99) / 2;
  return {
    relay: {
      datagramBytes: DATAGRAM_BYTES,
      path: 'TurnClient -> TURN (node A) -> HyperDHT secret-stream datagram -> node B -> TURN -> TurnClient, ChannelData on bound channels; both TURN clients live in the bench process',
      relayedAddresses: relay.relayed,
      nodeCallSetupMs: round(relay.callSetupMs, 1),
      latency: {
        method: 'sequential ping-pong: the far end echoes every datagram, the next one is sent when the echo arrives',
        rawUdp: rawRtt,
        relay: relayRtt,
        addedOneWayMs: { p50: round(addedP50), p99: round(addedP99), formula: '(relay RTT - raw RTT) / 2 at the same percentile' },
      },
      throughput: {
        paced: {
          method: `${TARGET_PPS} pps for ${PACED_MS} ms, the due datagrams sent in one burst per ~1 ms timer tick; ${PACED_REPEATS} runs per path, alternating; deliveredPps and lossPct are the medians`,
          rawUdp: rawPaced,
          relay: relayPaced,
        },
        relayLadder: ladder,
        max: { method: `unpaced bursts of 64 with setImmediate between them for ${MAX_MS} ms or ${MAX_COUNT} datagrams`, rawUdp: rawMax, relay: relayMax },
        deliveredPps: 'distinct datagrams delivered / max(sending time, first send to last arrival)',
        socketDrops:
          'datagrams the kernel dropped because a UDP receive buffer was full, summed per process over its sockets (/proc/net/udp), during each run; bench = this process (both ends of both paths)',
        cpuPct: 'CPU time (all threads) each process used during each run, drain wait included, in % of one core (this machine has ' + cpus().length + '); short runs are coarse',
        endpointRecvBufferBytes: { rawUdp: raw.recvBufferBytes, relay: relay.path.recvBufferBytes },
      },
      afterFlood: after,
      relayVsRaw: {
        throughputRatio: ratio(relayPaced.deliveredPps, rawPaced.deliveredPps),
        maxThroughputRatio: ratio(relayMax.deliveredPps, rawMax.deliveredPps),
        p50Ratio: ratio(relayRtt.rttMs.p50, rawRtt.rttMs.p50),
        p99Ratio: ratio(relayRtt.rttMs.p99, rawRtt.rttMs.p99),
      },
      targets: {
        packetsPerSecond: TARGETS.relayPps,
        addedLatencyP99Ms: TARGETS.addedLatencyP99Ms,
        throughputCriterion: `the median paced ${TARGET_PPS} pps run through the relay delivered >= 99% of the target rate`,
      },
      meetsTarget: {
        throughput: relayPaced.deliveredPps >= 0.99 * TARGET_PPS,
        addedLatencyP99: addedP99 < TARGETS.addedLatencyP99Ms,
      },
    },
    relayNodes: { idleMB: idle, relayLoadPeakMB: load, sampledEveryMs: 100, samples: { ...sampler.samples } },
    bridgeStart: {
      method: 'spawn <profile>/copybara-bridge.sh, send {v:1,id:1,type:"status"} framed on stdin, time until the reply; the node already runs',
      runsMs: bridgeMs,
      medianMs: round(median(bridgeMs), 1),
      maxMs: round(Math.max(...bridgeMs), 1),
      baseline: { what: 'spawn `node -e` that writes one byte, time until it arrives: the floor for any Node.js bridge', runsMs: bareNodeMs, medianMs: round(median(bareNodeMs), 1) },
    },
  };
}

async function benchCalls(root: string, bootstrap: string) {
  progress('calls: starting two nodes and two Chromium profiles');
  const [an, bn] = await Promise.all([startNodeProc(root, 'alice', bootstrap), startNodeProc(root, 'bob', bootstrap)]);
  const idle = await idleRss([an, bn]);
  const sides: Side[] = await Promise.all(
    [an, bn].map(async (n) => {
      const person = await launchPerson({ name: n.name, userDataDir: join(root, `${n.name}-chromium`), profile: n.profile, bootstrap });
      cleanup.defer(`close ${n.name}'s Chromium`, () => person.close());
      return { name: n.name, person, node: n.proc, nodeId: n.nodeId, profile: n.profile };
    }),
  );
  const [alice, bob] = sides as [Side, Side];
  const sampler = new RssSampler({ alice: an.pid, bob: bn.pid }, 100);
  const stopSampler = cleanup.defer('stop the memory sampler', async () => {
    await sampler.stop();
  });
  const calls: CallTiming[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t = await bounded(`call ${i + 1}`, () => timeOneCall(alice, bob), 90_000);
    calls.push(t);
    progress(`calls: ${i + 1}/${CALLS}: Call -> caller's first frame ${t.callToCallerFrameMs} ms (ring ${t.ringMs} ms, Answer -> both frames ${t.answerToBothFramesMs} ms)`);
  }
  await stopSampler();
  const pick = (k: keyof Omit<CallTiming, 'candidates' | 'pressTimes'>) => stat(calls.map((c) => c[k]));
  const callToFrame = pick('callToCallerFrameMs');
  return {
    callSetup: {
      calls: CALLS,
      note:
        "Timed from the script's clicks. The script presses Answer as soon as the callee's tab shows the incoming call, " +
        "so Call -> first frame includes the script's reaction time (reactionMs: seeing the incoming call, which is polled, " +
        "then Playwright's click). Press times are the click events as the pages saw them (pressTimes: 'page'); " +
        `the incoming call and first frames are detected by polling every ~${POLL_MS} ms (getStats for frames), so those are late by up to one poll.`,
      callToFirstCallerFrameMs: callToFrame,
      answerToFirstFrameMs: { caller: pick('answerToCallerFrameMs'), callee: pick('answerToCalleeFrameMs'), both: pick('answerToBothFramesMs') },
      ringMs: pick('ringMs'),
      reactionMs: pick('reactionMs'),
      callClickMs: pick('callClickMs'),
      perCall: calls,
      target: { callToFirstFrameMedianMs: TARGETS.callSetupMedianMs },
      meetsTarget: callToFrame.median < TARGETS.callSetupMedianMs,
    },
    callNodes: { idleMB: idle, duringCallsPeakMB: sampler.peakMB, sampledEveryMs: 100, samples: { ...sampler.samples } },
  };
}

async function killLeftovers(marker: string): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  let left: string[] = [];
  // Our own children by their ChildProcess state (no pid reuse); the rest by the marker.
  const alive = () => spawned.filter((p) => p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined);
  do {
    left = [...(await leftovers(marker)), ...alive().map((p) => `${p.child.pid}: ${p.child.spawnargs.slice(1, 3).join(' ')} (spawned by the bench)`)];
    if (left.length === 0) return [];
    await sleep(200);
  } while (Date.now() < deadline);
  // Still there after 10 s: these are ours (they name our temp folder or we spawned them).
  for (const line of left) {
    const pid = Number(line.split(':')[0]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return left;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const startedAt = new Date();
  const dir = await tempDir('bench');
  tempRoot = dir.path;
  cleanup.defer('remove the temp folder', () => dir.remove());
  let results: Record<string, unknown> | null = null;
  let failure: unknown = null;
  try {
    const machine = {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      totalMemMB: Math.round(totalmem() / 2 ** 20),
      loadAvgAtStart: loadavg().map((l) => round(l, 2)),
      kernel: release(),
      node: process.version,
      chromium: await chromiumVersion(),
      // Other Copybara processes (another test run, a demo) compete for the same CPUs.
      otherCopybaraProcessesAtStart: (await leftovers('copybara-host')).length,
    };
    if (machine.otherCopybaraProcessesAtStart > 0) {
      progress(`warning: ${machine.otherCopybaraProcessesAtStart} other copybara-host processes are running; figures will be noisier`);
    }
    progress(`machine: ${machine.cpus} cpus, node ${machine.node}, ${machine.chromium ?? 'chromium version unknown'}; temp folder ${dir.path}`);
    const bootstrap = await startTestnetProc();
    progress(`testnet on ${bootstrap}`);

    const relayPart = await benchRelay(dir.path, bootstrap);
    const callPart = await benchCalls(dir.path, bootstrap);
    progress('name resolution against the simulated contract');
    const names = await benchNames();

    const peaks = [
      ...Object.values(relayPart.relayNodes.idleMB),
      ...Object.values(relayPart.relayNodes.relayLoadPeakMB),
      ...Object.values(callPart.callNodes.idleMB),
      ...Object.values(callPart.callNodes.duringCallsPeakMB),
    ];
    results = {
      benchmark: 'copybara',
      startedAt: startedAt.toISOString(),
      machine,
      relay: relayPart.relay,
      nodeMemory: {
        metric: 'VmRSS of the node process from /proc/<pid>/status, MB (2^20 bytes)',
        relayNodes: relayPart.relayNodes,
        callNodes: callPart.callNodes,
        maxMB: Math.max(...peaks),
        targetMB: TARGETS.nodeRssMB,
        meetsTarget: Math.max(...peaks) < TARGETS.nodeRssMB,
      },
      callSetup: callPart.callSetup,
      bridgeStartMs: relayPart.bridgeStart.medianMs,
      bridgeStart: relayPart.bridgeStart,
      nameResolution: names,
      meetsTarget: {
        relayThroughput: relayPart.relay.meetsTarget.throughput,
        relayAddedLatencyP99: relayPart.relay.meetsTarget.addedLatencyP99,
        nodeMemory: Math.max(...peaks) < TARGETS.nodeRssMB,
        callSetupMedian: callPart.callSetup.meetsTarget,
      },
    };
  } catch (err) {
    failure = err;
  } finally {
    progress('stopping everything the bench started');
    const errors = await cleanup.runAll();
    const left = await killLeftovers(dir.path);
    await rm(dir.path, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
    if (errors.length > 0) progress(`cleanup problems:\n  ${errors.join('\n  ')}`);
    if (left.length > 0) failure ??= new Error(`processes still running after cleanup were killed:\n${left.join('\n')}`);
  }
  if (failure || !results) throw failure ?? new Error('no results');

  results.durationS = round((performance.now() - t0) / 1000, 1);
  const out = JSON.stringify(results, null, 2);
  const folder = join(ROOT, 'bench-results');
  await mkdir(folder, { recursive: true });
  const file = join(folder, `bench-${startedAt.toISOString().replace(/:/g, '-')}.json`);
  await writeFile(file, `${out}\n`);
  process.stdout.write(`${out}\n`);
  progress(`done in ${results.durationS} s; saved ${file}`);
}

async function fail(reason: unknown, code = 1): Promise<never> {
  process.stderr.write(`bench failed: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}\n`);
  const errors = await cleanup.runAll();
  if (errors.length > 0) process.stderr.write(`cleanup problems:\n  ${errors.join('\n  ')}\n`);
  const left = tempRoot ? await killLeftovers(tempRoot) : [];
  if (left.length > 0) process.stderr.write(`killed processes still running after cleanup:\n  ${left.join('\n  ')}\n`);
  // Again, now that nothing can write into it any more (a browser being launched may have).
  if (tempRoot) await rm(tempRoot, { recursive: true, force: true, maxRetries: 3 }).catch(() => {});
  process.exit(code);
}

const watchdog = setTimeout(() => void fail(new Error(`the bench did not finish within ${BUDGET_MS / 1000} s`)), BUDGET_MS);
watchdog.unref();
process.once('SIGINT', () => void fail(new Error('interrupted (SIGINT)'), 130));
process.once('SIGTERM', () => void fail(new Error('terminated (SIGTERM)'), 143));
process.on('uncaughtException', (err) => void fail(err));
process.on('unhandledRejection', (err) => void fail(err));

if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
  await fail(new Error(`no extension build in ${EXTENSION_DIR}: run "npm run build" (or "npm run bench", which builds first)`));
}
if (!existsSync(CHROMIUM)) {
  await fail(new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`));
}

main().then(
  () => process.exit(0),
  (err) => fail(err),
);
