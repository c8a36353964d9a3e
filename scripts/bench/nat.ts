import { join } from 'node:path';
import { type Outcome, dialOutcome, hangUp } from '../../testkit/netns/lab-calls';
import { startLab } from '../../testkit/netns/lab';
import { type LabNode, startLabNode } from '../../testkit/netns/lab-node';
import type { NodeMode } from '../../testkit/netns/node-mode';
import { NAT_KINDS, type NatKind } from '../../testkit/netns/router';
import { cli, startTestnet, waitForLine } from '../../testkit/processes';
import { type Cleanup, progress } from './cleanup';
import { type BrowserPairResult, benchBrowserPairs } from './nat-browsers';
import { median, round } from './stats';

// The NAT part of the bench: Call → ring for every ordered pair of NAT kinds (none,
// port-restricted, symmetric), on the same lab of network namespaces as tests/netns (bootstrap
// nodes and a blind relay on the lab's internet, each node behind its own router), node to node,
// in private mode (through the relay) and with direct connections allowed between contacts
// (holepunched where HyperDHT gets through, else the relay); then the same pairs as Chromium
// calls (nat-browsers.ts). Needs root.

export interface NatBenchOptions {
  // Calls per pair and mode.
  rounds: number;
  // The product's target: a ring within this for every pair, in both modes.
  targetRingMs: number;
  // Also one timed Chromium call per pair and mode.
  browsers: boolean;
}

export interface PairResult {
  caller: NatKind;
  callee: NatKind;
  connected: number;
  attempts: number;
  ringMs: { median: number | null; max: number | null };
  // contacts-direct: how many connected calls went directly.
  direct?: number;
  failures: string[];
}

export interface NatBenchResult {
  metric: string;
  rounds: number;
  modes: Partial<Record<NodeMode, PairResult[]>>;
  // Chromium calls, per mode (absent when left out).
  browsers: Partial<Record<NodeMode, BrowserPairResult[]>> | { skipped: string };
  meetsTarget: {
    privateAllConnect: boolean;
    privateRingUnderTarget: boolean;
    contactsDirectAllConnect: boolean;
    contactsDirectRingUnderTarget: boolean;
    targetRingMs: number;
  };
}

const MODES: NodeMode[] = ['private', 'contacts-direct'];

export async function benchNat(cleanup: Cleanup, root: string, o: NatBenchOptions): Promise<NatBenchResult> {
  const kinds = [...NAT_KINDS, ...NAT_KINDS];
  const lab = await startLab(kinds);
  const closeLab = cleanup.defer('the NAT lab', () => lab.close());
  const net = await startTestnet(false, { host: lab.internet.address, netns: lab.internet.ns, relays: 0, size: 12 });
  const stopTestnet = cleanup.defer('the lab testnet', () => net.proc.stop());
  const relay = cli(['relay', '--bootstrap', net.bootstrap, '--profile', join(root, 'nat-relay')], {
    name: 'nat-relay',
    netns: lab.internet.ns,
  });
  const stopRelay = cleanup.defer('the lab relay', () => relay.stop());
  await waitForLine(relay, /^relay key: /, 30_000, 'the lab relay announced');

  const modes: NatBenchResult['modes'] = {};
  const browsers: Partial<Record<NodeMode, BrowserPairResult[]>> = {};
  for (const mode of MODES) {
    progress(`NAT lab: ${mode} calls, ${o.rounds} per pair`);
    const nodes = await Promise.all(
      lab.hosts.map((host, i) =>
        startLabNode(host, { root, name: `nat-${mode}-${i < 3 ? 'caller' : 'callee'}-${host.kind}`, bootstrap: net.bootstrap, mode }),
      ),
    );
    const stopNodes = cleanup.defer(`the ${mode} lab nodes`, async () => void (await Promise.all(nodes.map((n) => n.stop()))));
    if (mode === 'contacts-direct') await Promise.all(nodes.map((n) => n.allowDirect(nodes.filter((x) => x !== n).map((x) => x.nodeId))));
    const callers = new Map(nodes.slice(0, 3).map((n) => [n.host.kind, n] as const));
    const callees = new Map(nodes.slice(3).map((n) => [n.host.kind, n] as const));
    const pairs: PairResult[] = [];
    for (const caller of NAT_KINDS) {
      for (const callee of NAT_KINDS) pairs.push(await benchPair(callers.get(caller)!, callees.get(callee)!, o.rounds, mode));
    }
    modes[mode] = pairs;
    if (o.browsers) {
      progress(`NAT lab: ${mode} calls in Chromium, one per pair`);
      browsers[mode] = await benchBrowserPairs(cleanup, { root, bootstrap: net.bootstrap, mode, callers, callees });
    }
    await stopNodes();
  }
  await stopRelay();
  await stopTestnet();
  await closeLab();

  const allConnect = (pairs: PairResult[] = []) => pairs.length === 9 && pairs.every((p) => p.connected === p.attempts);
  const ringUnder = (pairs: PairResult[] = []) =>
    pairs.length === 9 && pairs.every((p) => p.ringMs.max !== null && p.ringMs.max < o.targetRingMs);
  return {
    metric: 'ms from the call request at the caller node to the ring at the callee node, node to node on the NAT lab',
    rounds: o.rounds,
    modes,
    browsers: o.browsers ? browsers : { skipped: 'COPYBARA_BENCH_NAT_BROWSERS=0' },
    meetsTarget: {
      privateAllConnect: allConnect(modes.private),
      privateRingUnderTarget: ringUnder(modes.private),
      contactsDirectAllConnect: allConnect(modes['contacts-direct']),
      contactsDirectRingUnderTarget: ringUnder(modes['contacts-direct']),
      targetRingMs: o.targetRingMs,
    },
  };
}

async function benchPair(caller: LabNode, callee: LabNode, rounds: number, mode: NodeMode): Promise<PairResult> {
  const rings: number[] = [];
  const failures: string[] = [];
  let direct = 0;
  for (let i = 0; i < rounds; i++) {
    let outcome: Outcome;
    let callId: string;
    try {
      ({ callId, outcome } = await dialOutcome(caller, callee, 30_000));
    } catch (err) {
      failures.push((err as Error).message);
      continue;
    }
    if (outcome.ok) {
      rings.push(outcome.ringMs);
      if (mode === 'contacts-direct') {
        const status = await caller.socket.request({ type: 'status' });
        if (status.calls.find((c) => c.callId === callId)?.route?.relay === null) direct++;
      }
    } else failures.push(outcome.reason);
    await hangUp(caller, callee, callId).catch((err: Error) => failures.push(`hang-up: ${err.message}`));
  }
  return {
    caller: caller.host.kind,
    callee: callee.host.kind,
    connected: rings.length,
    attempts: rounds,
    ringMs: { median: rings.length ? round(median(rings), 1) : null, max: rings.length ? round(Math.max(...rings), 1) : null },
    ...(mode === 'contacts-direct' ? { direct } : {}),
    failures,
  };
}
