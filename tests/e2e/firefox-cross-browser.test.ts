import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaSummary, statusText, until } from '../../testkit/call-checks';
import { type Side, answer, closeCallTabs, dial, nodeCalls, startSide, stopSide } from '../../testkit/call-flow';
import {
  type FirefoxSide,
  closeFirefoxCallTabs,
  firefoxAnswer,
  firefoxDial,
  firefoxMedia,
  firefoxStatus,
  startFirefoxSide,
} from '../../testkit/firefox-call';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { expectRelayedMedia } from '../../testkit/relayed-media';
import { type Proc, startTestnet, tempDir } from '../../testkit/processes';

// Chromium and Firefox calling each other: Alice in Chromium (her node relays on 127.0.0.1),
// Bob in Firefox ESR (his node relays on this machine's default-route address), on a HyperDHT
// testnet on 127.0.0.1.

let alice: Side;
let bob: FirefoxSide;
let testnet: Proc | undefined;
let dir: { path: string; remove(): Promise<void> } | undefined;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  dir = await tempDir('e2e-xb');
  const net = await startTestnet(echo, { relays: 1 });
  testnet = net.proc;
  [alice, bob] = await Promise.all([
    startSide(dir.path, 'alice', net.bootstrap, echo),
    startFirefoxSide(dir.path, 'bob', net.bootstrap, echo),
  ]);
});

afterEach(async () => {
  if (bob) await closeFirefoxCallTabs(bob);
  if (alice) await closeCallTabs(alice);
  if (bob) {
    await until(
      "Bob's node has no call in progress",
      10_000,
      async () => (await nodeCalls(bob)).length,
      (n) => n === 0,
    );
  }
});

afterAll(async () => {
  await Promise.all([stopSide(alice), stopSide(bob)]);
  await testnet?.stop();
  if (dir) {
    await expectNoLeftovers(dir.path);
    await dir.remove();
  }
});

describe('Chromium and Firefox call each other', () => {
  it('Alice in Chromium calls Bob in Firefox; Bob answers; media both ways', async () => {
    const { tab: aliceTab, popup } = await dial(alice, bob.nodeId);
    await popup.close();
    const bobTab = await firefoxAnswer(bob);
    await expectRelayedMedia(
      'Alice (Chromium)',
      () => mediaSummary(aliceTab),
      (s) => s.remoteVideoFrames > 5,
    );
    await expectRelayedMedia(
      'Bob (Firefox)',
      () => firefoxMedia(bobTab),
      (s) => s.remoteVideoWidth > 0,
    );
    await until(
      'Alice sees "In call"',
      5000,
      () => statusText(aliceTab),
      (t) => /in call/i.test(t),
    );
    await until(
      'Bob sees "In call"',
      5000,
      () => firefoxStatus(bobTab),
      (t) => /in call/i.test(t),
    );
    const codes = await Promise.all([
      aliceTab.getByLabel('Safety code').textContent(),
      bobTab.evaluate(() => document.querySelector('[aria-label="Safety code"]')?.textContent ?? ''),
    ]);
    expect(codes[0]).toMatch(/\d{3} \d{3} \d{3} \d{3}/);
    expect(codes[1]).toBe(codes[0]);
  });

  it('Bob in Firefox calls Alice in Chromium; Alice answers; media both ways', async () => {
    const bobTab = await firefoxDial(bob, alice.nodeId);
    const aliceTab = await answer(alice);
    await expectRelayedMedia(
      'Bob (Firefox)',
      () => firefoxMedia(bobTab),
      (s) => s.remoteVideoWidth > 0,
    );
    await expectRelayedMedia(
      'Alice (Chromium)',
      () => mediaSummary(aliceTab),
      (s) => s.remoteVideoFrames > 5,
    );
    await aliceTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'Bob is told the call ended',
      10_000,
      () => firefoxStatus(bobTab),
      (t) => /ended|hung up/i.test(t),
    );
    expect(await statusText(aliceTab)).toMatch(/ended|hung up/i);
  });
});
