import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaSummary, recordStatuses, statusText, until } from '../../testkit/call-checks';
import { type Side, answeredCall, closeCallTabs, nodeCalls, startSide, stopSide } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { type Proc, cli, startTestnet, tempDir, waitForLine } from '../../testkit/processes';

// Two people in real Chromium, their nodes in private mode with two relays pinned (plus the
// testnet's own, found on the topic). The relay carrying their call is killed mid-call: both
// call tabs say the call is reconnecting, then it is back, and the browsers' media flows again
// on its own, with no ICE restart (WebRTC talks only to each node's TURN server).

const echo = process.env.COPYBARA_TEST_LOGS === '1';
let dir: { path: string; remove(): Promise<void> };
let testnet: Proc;
const relays: { proc: Proc; key: string }[] = [];
let alice: Side;
let bob: Side;

beforeAll(async () => {
  dir = await tempDir('e2e-failover');
  const net = await startTestnet(echo);
  testnet = net.proc;
  for (const name of ['relay-1', 'relay-2']) {
    const proc = cli(['relay', '--profile', `${dir.path}/${name}`, '--bootstrap', net.bootstrap], { name, echo });
    const line = await waitForLine(proc, /^relay key: /, 20_000, name);
    relays.push({ proc, key: line.slice('relay key: '.length).trim() });
  }
  const pinned = ['--relay', relays.map((r) => r.key).join(',')];
  [alice, bob] = await Promise.all([
    startSide(dir.path, 'alice', net.bootstrap, echo, pinned),
    startSide(dir.path, 'bob', net.bootstrap, echo, pinned),
  ]);
});

afterEach(async () => {
  await closeCallTabs(alice, bob);
});

afterAll(async () => {
  await Promise.all([stopSide(alice), stopSide(bob)]);
  await Promise.all(relays.map((r) => r.proc.stop()));
  await testnet?.stop();
  if (dir) {
    await expectNoLeftovers(dir.path);
    await dir.remove();
  }
});

const pairs = (r: { proc: Proc }) => {
  const last = r.proc.output.filter((l) => /pair (joined|ended) \(\d+ carried/.test(l)).at(-1);
  return last ? Number(/\((\d+) carried/.exec(last)![1]) : 0;
};

describe('a call whose relay dies', () => {
  it('shows reconnecting in both tabs, comes back on the other relay, and media flows again', async () => {
    const { callerTab: aliceTab, calleeTab: bobTab } = await answeredCall(alice, bob);
    const carrier = relays.find((r) => pairs(r) === 1);
    expect(carrier, 'a pinned relay carries the call').toBeDefined();
    const other = relays.find((r) => r !== carrier)!;
    const [route] = await nodeCalls(alice);
    expect(route?.route?.relay).toBe(carrier!.key);

    const seen = await Promise.all([aliceTab, bobTab].map((t) => recordStatuses(t)));
    const lost = Date.now();
    carrier!.proc.child.kill('SIGKILL');
    for (const [i, who] of ['Alice', 'Bob'].entries()) {
      await until(
        `${who} sees the call reconnecting`,
        15_000,
        () => seen[i]!(),
        (texts) => texts.some((t) => /reconnecting/i.test(t)),
      );
    }
    const noticed = Date.now() - lost;
    for (const [who, tab] of [
      ['Alice', aliceTab],
      ['Bob', bobTab],
    ] as const) {
      await until(
        `${who} sees the call back`,
        15_000,
        () => statusText(tab),
        (t) => /in call/i.test(t),
      );
    }
    const back = Date.now() - lost;
    // Frames decoded from here on came over the new connection: the first few time it, more show
    // it keeps flowing.
    const before = await Promise.all([aliceTab, bobTab].map((t) => mediaSummary(t)));
    const frames = (i: number, more: number) =>
      until(
        'media again',
        20_000,
        () => mediaSummary([aliceTab, bobTab][i]!),
        (m) => m.framesDecoded > before[i]!.framesDecoded + more && m.connectionState === 'connected',
      );
    await Promise.all([frames(0, 2), frames(1, 2)]);
    const flowing = Date.now() - lost;
    await Promise.all([frames(0, 30), frames(1, 30)]);
    console.log(
      `e2e relay failover: reconnecting shown after ${noticed} ms, "In call" again after ${back} ms, frames decoded again after ${flowing} ms`,
    );
    expect(pairs(other)).toBe(1);
    const [now] = await nodeCalls(alice);
    expect(now).toMatchObject({ state: 'active', route: { relay: other.key } });
  });
});
