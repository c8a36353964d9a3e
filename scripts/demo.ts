import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mediaSummary, statusText, until } from '../testkit/call-checks';
import { type Side, answer, dial, startSide, stopSide } from '../testkit/call-flow';
import { expectNoLeftovers } from '../testkit/leftovers';
import { ROOT, type Proc, startTestnet, tempDir } from '../testkit/processes';

// The product's main job on one machine with embedded defaults: a private HyperDHT testnet
// on 127.0.0.1, two nodes, two Chromium profiles with the built extension. Alice calls Bob
// by node id, Bob answers, they talk for a few seconds, Alice hangs up.

const SECONDS = Number(process.env.COPYBARA_DEMO_SECONDS ?? '5');
const OUT = join(ROOT, 'demo-output');
const say = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const dir = await tempDir('demo');
  let testnet: Proc | undefined;
  let alice: Side | undefined;
  let bob: Side | undefined;
  try {
    say(`${process.env.DISPLAY ? 'Windowed' : 'Headless (no DISPLAY)'} demo; profiles in ${dir.path}`);
    const net = await startTestnet();
    testnet = net.proc;
    say(`testnet on ${net.bootstrap}`);
    [alice, bob] = await Promise.all([
      startSide(dir.path, 'alice', net.bootstrap, false),
      startSide(dir.path, 'bob', net.bootstrap, false),
    ]);
    say(`alice is ${alice.nodeId}\nbob   is ${bob.nodeId}`);

    const pressed = Date.now();
    const { tab: aliceTab } = await dial(alice, bob.nodeId);
    say('alice pressed Call');
    const bobTab = await answer(bob);
    say('bob answered');
    await until(
      'media both ways',
      30_000,
      async () => [await mediaSummary(aliceTab), await mediaSummary(bobTab)],
      (ms) => ms.every((m) => m.framesDecoded > 0),
    );
    const setupMs = Date.now() - pressed;
    say(`first remote frames decoded ${setupMs} ms after Call was pressed (this includes Bob's reaction time in the script)`);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));

    for (const [who, tab] of [
      ['alice', aliceTab],
      ['bob', bobTab],
    ] as const) {
      await tab.getByRole('button', { name: 'Call details' }).click();
      await new Promise((r) => setTimeout(r, 1200));
      const file = join(OUT, `${who}-call.png`);
      await tab.screenshot({ path: file, fullPage: true });
      const m = await mediaSummary(tab);
      const path = (await tab.locator('[data-stat="route"]').textContent()) ?? '?';
      say(
        `${who}: ${await statusText(tab)} | ${path} | candidates ${m.localCandidateType}/${m.remoteCandidateType} | video frames decoded ${m.framesDecoded} | audio packets ${m.audioPacketsReceived} | screenshot ${file}`,
      );
    }
    await aliceTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'bob sees the end',
      10_000,
      () => statusText(bobTab),
      (t) => /hung up/i.test(t),
    );
    say(`bob: ${await statusText(bobTab)}`);
  } finally {
    await Promise.all([stopSide(alice), stopSide(bob)]);
    await testnet?.stop();
    await expectNoLeftovers(dir.path);
    await dir.remove();
  }
  say('demo finished; every process it started has stopped');
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
