import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lab, SKIP_NETNS, startLab } from '../../testkit/netns/lab';
import { type LabNode, startLabNode } from '../../testkit/netns/lab-node';
import { type Outcome, completeCall, dialOutcome, hangUp } from '../../testkit/netns/lab-calls';
import type { NodeMode } from '../../testkit/netns/node-mode';
import { NAT_KINDS, type NatKind } from '../../testkit/netns/router';
import { waitForCallTab } from '../../testkit/browser';
import { mediaSummary, until } from '../../testkit/call-checks';
import { type Side, allowDirectWith, answer, closeCallTabs, dial, nodeCalls, sideFor } from '../../testkit/call-flow';
import { chromiumIn } from '../../testkit/netns/chromium';
import { countPacketsFrom } from '../../testkit/netns/packet-counter';
import { type Proc, cli, startTestnet, tempDir, waitForLine } from '../../testkit/processes';

// Real calls between two `copybara-host node` processes behind every pair of NAT kinds
// (none, port-restricted, symmetric; caller × callee), on a lab network of namespaces: the
// bootstrap nodes and a blind relay on the lab's internet, each node behind its own router.
// Private mode (through the relay) must connect all nine pairs, node to node and then as real
// Chromium calls (browser, native host and node in the host's namespace) with video decoded
// on both sides, and not one packet from either side's public address may reach the other
// (iptables counters at each side's edge). With direct connections allowed between contacts,
// all nine pairs must connect too, node to node and in Chromium (where the contact and the
// setting are made in the popup and the options page): directly where the callee has no NAT
// or neither side's NAT changes ports per destination, through the relay otherwise, and the
// call details must say which. Direct mode (holepunching only) is measured, except that two symmetric NATs must fail
// with a reason within a bounded time (see the table).

const echo = process.env.COPYBARA_TEST_LOGS === '1';
// Callers on hosts 1-3, callees on hosts 4-6, one NAT kind each, in NAT_KINDS order.
const KINDS: NatKind[] = [...NAT_KINDS, ...NAT_KINDS];
// How long a direct call may take to either ring or fail: HyperDHT's holepunch gives up well
// within this; the node's own limit on reaching the network is 15 s per attempt.
const DIRECT_OUTCOME_MS = 60_000;

let lab: Lab;
let dir: { path: string; remove(): Promise<void> };
let testnet: Proc;
let relay: Proc;
let bootstrap: string;

type Run = NodeMode | 'private, Chromium' | 'contacts-direct, Chromium';
const RUNS: Run[] = ['private', 'private, Chromium', 'contacts-direct', 'contacts-direct, Chromium', 'direct'];
const results = new Map<string, Outcome>();
const key = (run: Run, caller: NatKind, callee: NatKind) => `${run} ${caller} ${callee}`;

function table(): string {
  const cell = (o: Outcome | undefined) =>
    !o ? '-' : o.ok ? `${o.ringMs} ms${o.relayed === undefined ? '' : o.relayed ? ' relayed' : ' direct'}` : `failed (${o.ms} ms)`;
  const width = 28;
  const lines = ["ring time (Call → the callee's node rings), caller ↓ callee →"];
  for (const run of RUNS) {
    lines.push(`${run.padEnd(width)}${NAT_KINDS.map((k) => k.padEnd(width)).join('')}`);
    for (const caller of NAT_KINDS) {
      const cells = NAT_KINDS.map((callee) => cell(results.get(key(run, caller, callee))).padEnd(width));
      lines.push(`${caller.padEnd(width)}${cells.join('')}`);
    }
  }
  const failures = [...results].filter(([, o]) => !o.ok) as [string, Extract<Outcome, { ok: false }>][];
  for (const [k, o] of failures) lines.push(`${k}: ${o.reason}`);
  return lines.join('\n');
}

// Pairs the relay has joined so far (it logs each once).
const relayPairs = () => relay.output.filter((l) => / relay: pair joined /.test(l)).length;

// A callee without NAT is reached directly by anyone; holepunching between two NATs that keep
// one public port per socket works; a NAT that picks a new port per destination on a side that
// must be punched makes the caller's node go through the relay at once.
const punchable = (caller: NatKind, callee: NatKind) => callee === 'none' || (caller !== 'symmetric' && callee !== 'symmetric');

// One Chromium per side, launched in the side's namespace in front of its running node, for
// one call: dial, answer, video both ways, the path in the call details, hang up by closing
// the tabs. `contacts`: each person first saves the other as a contact allowed directly.
async function browserCall(caller: LabNode, callee: LabNode, run: 'private, Chromium' | 'contacts-direct, Chromium'): Promise<void> {
  const sides: Side[] = [];
  try {
    for (const n of [caller, callee]) {
      const executablePath = await chromiumIn(n.host.ns, dir.path);
      const name = `${n.name}-${Date.now()}`;
      sides.push(await sideFor({ root: dir.path, name, bootstrap, node: n.proc, nodeId: n.nodeId, profile: n.profile, executablePath }));
    }
    const [from, to] = sides as [Side, Side];
    if (run === 'contacts-direct, Chromium') {
      await allowDirectWith(from, [{ nickname: 'Callee', nodeId: to.nodeId }]);
      await allowDirectWith(to, [{ nickname: 'Caller', nodeId: from.nodeId }]);
    }
    const before = callee.socket.events.length;
    const { tab: callerTab, popup, calledAt } = await dial(from, to.nodeId);
    const ring = await callee.socket.waitFor(
      `${callee.name} rings`,
      (e) => e.event === 'call' && e.call.state === 'incoming' && callee.socket.events.indexOf(e) >= before,
      30_000,
    );
    const outcome: Outcome = { ok: true, ringMs: Date.now() - calledAt };
    results.set(key(run, caller.host.kind, callee.host.kind), outcome);
    expect(ring.event === 'call' && ring.call.peer).toBe(caller.nodeId);
    await popup.close();
    await answer(to);
    const calleeTab = await waitForCallTab(to.person, 5000);
    for (const [who, tab] of [
      [caller.name, callerTab],
      [callee.name, calleeTab],
    ] as const) {
      await until(
        `${who}: remote video decoded`,
        45_000,
        () => mediaSummary(tab),
        (m) => m.framesDecoded > 10 && m.remoteVideoFrames > 5,
      );
    }
    // The path the caller's node took, and what the call details say of it.
    const [call] = await nodeCalls(from);
    outcome.relayed = call?.route ? call.route.relay !== null : undefined;
    await callerTab.getByRole('button', { name: 'Call details' }).click();
    const shown = await until(
      'the network path in the call details',
      5000,
      async () => (await callerTab.locator('[data-stat="route"]').textContent()) ?? '',
      (t) => /^(Relayed|Direct)/.test(t),
    );
    expect(shown).toMatch(outcome.relayed ? /^Relayed through relay / : /^Direct/);
    if (run === 'private, Chromium') expect(outcome.relayed).toBe(true);
    else expect(outcome.relayed).toBe(!punchable(caller.host.kind, callee.host.kind));
    await closeCallTabs(from, to);
  } finally {
    // The nodes go on (they are the describe's); only the browsers stop.
    for (const side of sides) await side.person.close();
  }
}

describe.skipIf(SKIP_NETNS)(SKIP_NETNS ? 'calls across NATs (skipped: COPYBARA_SKIP_NETNS=1)' : 'calls across NATs', () => {
  beforeAll(async () => {
    lab = await startLab(KINDS);
    dir = await tempDir('natm');
    // The lab's one relay is `copybara-host relay` below, as a person would run it. Twelve
    // bootstrap nodes: with three, HyperDHT cannot tell a host without NAT from a firewalled
    // one (its check asks nodes it has not talked to yet), and holepunching fails everywhere.
    const net = await startTestnet(echo, { host: lab.internet.address, netns: lab.internet.ns, relays: 0, size: 12 });
    testnet = net.proc;
    bootstrap = net.bootstrap;
    relay = cli(['relay', '--bootstrap', bootstrap, '--profile', join(dir.path, 'relay')], { name: 'relay', echo, netns: lab.internet.ns });
    await waitForLine(relay, /^relay key: /, 30_000, 'the lab relay announced');
  });

  afterAll(async () => {
    console.log(table());
    await relay?.stop();
    await testnet?.stop();
    await lab?.close();
    await dir?.remove();
  });

  for (const mode of ['private', 'contacts-direct', 'direct'] as NodeMode[]) {
    describe(`${mode} mode`, () => {
      const callers = new Map<NatKind, LabNode>();
      const callees = new Map<NatKind, LabNode>();

      beforeAll(async () => {
        const nodes = await Promise.all(
          lab.hosts.map((host, i) =>
            startLabNode(host, { root: dir.path, name: `${mode}-${i < 3 ? 'caller' : 'callee'}-${host.kind}`, bootstrap, mode, echo }),
          ),
        );
        nodes.forEach((n, i) => (i < 3 ? callers : callees).set(n.host.kind, n));
        // Everyone is everyone's contact, with direct connections allowed.
        if (mode === 'contacts-direct')
          await Promise.all(nodes.map((n) => n.allowDirect(nodes.filter((o) => o !== n).map((o) => o.nodeId))));
      });

      afterAll(async () => {
        await Promise.all([...callers.values(), ...callees.values()].map((n) => n.stop()));
      });

      for (const callerKind of NAT_KINDS) {
        for (const calleeKind of NAT_KINDS) {
          const bothRandom = callerKind === 'symmetric' && calleeKind === 'symmetric';
          const title =
            mode === 'private'
              ? `${callerKind} calls ${calleeKind}: rings, is answered, signals, hangs up`
              : mode === 'contacts-direct'
                ? `${callerKind} calls ${calleeKind} as a contact allowed directly: ${punchable(callerKind, calleeKind) ? 'direct' : 'through the relay'}, answered, hangs up`
                : bothRandom
                  ? `${callerKind} calls ${calleeKind}: fails with a reason, in bounded time`
                  : `${callerKind} calls ${calleeKind}: outcome measured`;
          it(title, async () => {
            const caller = callers.get(callerKind)!;
            const callee = callees.get(calleeKind)!;
            const limit = mode === 'direct' ? DIRECT_OUTCOME_MS : 30_000;
            const pairsBefore = relayPairs();
            // Privacy: whatever reaches either side's edge (its router, or the host itself
            // without one) from the other side's public address.
            const heard = [
              await countPacketsFrom(caller.host, callee.host.publicAddress),
              await countPacketsFrom(callee.host, caller.host.publicAddress),
            ];
            const { callId, outcome } = await dialOutcome(caller, callee, limit);
            if (mode === 'contacts-direct' && outcome.ok) {
              // The path the call took, as the caller's node reports it.
              const status = await caller.socket.request({ type: 'status' });
              const call = status.calls.find((c) => c.callId === callId);
              outcome.relayed = call?.route ? call.route.relay !== null : relayPairs() > pairsBefore;
            }
            results.set(key(mode, callerKind, calleeKind), outcome);
            // Private: the connection that rang is one the relay joined.
            if (mode === 'private' && outcome.ok) {
              await until(
                'the relay joins the pair',
                5000,
                async () => relayPairs(),
                (n) => n > pairsBefore,
              );
            }
            if (outcome.ok && mode !== 'direct') await completeCall(caller, callee, callId);
            else if (outcome.ok) {
              // Direct mode is measured: a call that rang but then broke is a result, not a crash.
              await completeCall(caller, callee, callId).catch(async (err: Error) => {
                results.set(key(mode, callerKind, calleeKind), {
                  ok: false,
                  ms: outcome.ringMs,
                  reason: `after ringing: ${err.message.split('\n')[0]}`,
                });
                await hangUp(caller, callee, callId);
              });
            } else await hangUp(caller, callee, callId);
            const packets = await Promise.all(heard.map((c) => c.packets()));
            await Promise.all(heard.map((c) => c.remove()));
            // Through the relay, not one packet from the other side's address reaches either side;
            // a direct call shows the counters do see such packets. (Between contacts allowed
            // directly, holepunch probes cross even when the call then goes through the relay.)
            if (mode === 'private') expect(packets, 'packets from the other side, caller then callee').toEqual([0, 0]);
            if (mode === 'contacts-direct' && outcome.ok && outcome.relayed === false) expect(packets[0]! + packets[1]!).toBeGreaterThan(0);
            if (mode !== 'direct') expect(outcome).toMatchObject({ ok: true });
            if (mode === 'contacts-direct') expect(outcome.ok && outcome.relayed).toBe(!punchable(callerKind, calleeKind));
            if (mode === 'direct' && bothRandom) {
              expect(outcome.ok).toBe(false);
              expect(outcome.ok === false && outcome.reason).toMatch(/^nat: .*HOLEPUNCH/);
              expect(outcome.ok === false && outcome.ms).toBeLessThan(20_000);
            }
          });
        }
      }

      if (mode !== 'direct') {
        const run = mode === 'private' ? 'private, Chromium' : 'contacts-direct, Chromium';
        for (const callerKind of NAT_KINDS) {
          for (const calleeKind of NAT_KINDS) {
            it(`in Chromium, ${callerKind} calls ${calleeKind}: answered, video decoded on both sides`, async () => {
              await browserCall(callers.get(callerKind)!, callees.get(calleeKind)!, run);
            });
          }
        }
      }
    });
  }
});
