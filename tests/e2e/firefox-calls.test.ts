import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../testkit/call-checks';
import { nodeCalls } from '../../testkit/call-flow';
import {
  type FirefoxSide,
  callTabs,
  closeFirefoxCallTabs,
  firefoxAnswer,
  firefoxDial,
  firefoxMedia,
  firefoxStatus,
  configureFirefoxNames,
  openFirefoxPopup,
  labelledText,
  waitForFirefoxCallTab,
} from '../../testkit/firefox-call';
import { clickButton, fill, firefoxScreenshot } from '../../testkit/firefox';
import { type FirefoxPair, startFirefoxPair } from '../../testkit/firefox-pair';
import { expectRelayedMedia } from '../../testkit/relayed-media';

// Two people in Debian's Firefox ESR, driven through WebDriver BiDi, each with their own HOME
// (so the native-messaging manifest is theirs), the Firefox build of the extension, and a node,
// on a HyperDHT testnet on 127.0.0.1. Firefox relays the call through each node's per-call
// listener on this machine's default-route address; nothing leaves the machine. Names are
// resolved against the SIMULATED contract chain (testkit/sim-chain) on 127.0.0.1.

let pair: FirefoxPair | undefined;
let alice: FirefoxSide;
let bob: FirefoxSide;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  pair = await startFirefoxPair('e2e-ff', echo, { names: false });
  ({ alice, bob } = pair);
});

afterEach(async () => {
  for (const s of [alice, bob]) if (s) await closeFirefoxCallTabs(s);
  for (const s of [alice, bob]) {
    if (!s) continue;
    await until(
      `${s.name}'s node has no call in progress`,
      10_000,
      async () => (await nodeCalls(s)).length,
      (n) => n === 0,
    );
  }
});

afterAll(() => pair?.stop());

describe('calls in Firefox ESR', () => {
  it('Alice calls Bob, Bob answers: video and audio both ways, relay candidates only, hang-up ends both', async () => {
    const aliceTab = await firefoxDial(alice, bob.nodeId);
    const bobTab = await firefoxAnswer(bob, aliceTab);
    for (const [who, tab] of [
      ['Alice', aliceTab],
      ['Bob', bobTab],
    ] as const) {
      await expectRelayedMedia(
        who,
        async () => ({ ...(await firefoxMedia(tab)), status: await firefoxStatus(tab) }),
        (s) => s.remoteVideoWidth > 0,
      );
      await until(
        `${who} sees "In call"`,
        5000,
        () => firefoxStatus(tab),
        (t) => /in call/i.test(t),
      );
    }
    await firefoxScreenshot(aliceTab, 'in-call-firefox');
    // Each node relayed its side through a listener of the call's own, not on loopback.
    for (const side of [alice, bob]) {
      expect(side.node.output.join('\n'), `${side.name}'s node`).toMatch(/Firefox relay listening on (?!127\.)\d+\.\d+\.\d+\.\d+:\d+/);
    }
    await clickButton(aliceTab, 'Hang up');
    for (const [who, tab] of [
      ['Alice', aliceTab],
      ['Bob', bobTab],
    ] as const) {
      await until(
        `${who} sees the call ended`,
        10_000,
        () => firefoxStatus(tab),
        (t) => /ended|hung up/i.test(t),
      );
    }
    for (const side of [alice, bob]) {
      await until(
        `${side.name}'s node closes the call's Firefox relay`,
        10_000,
        () => Promise.resolve(side.node.output.join('\n')),
        (log) => /Firefox relay on \S+ closed/.test(log),
      );
    }
  });

  it('Bob declines: Alice is told, no media starts', async () => {
    const aliceTab = await firefoxDial(alice, bob.nodeId);
    const bobTab = await waitForFirefoxCallTab(bob, 20_000, aliceTab);
    await until(
      'Bob sees the incoming call',
      20_000,
      () => firefoxStatus(bobTab),
      (t) => /incoming call/i.test(t),
    );
    await clickButton(bobTab, 'Decline');
    const text = await until(
      'Alice is told Bob declined',
      15_000,
      () => firefoxStatus(aliceTab),
      (t) => /declined/i.test(t),
    );
    expect(text).toMatch(/declined/i);
    expect((await firefoxMedia(aliceTab)).framesDecoded).toBe(0);
    expect(await callTabs(bob.person)).toHaveLength(1);
  });

  it("Alice calls bob.azero; each side sees the other's name verified (simulated contract)", async () => {
    await configureFirefoxNames(alice, pair!.chain.url, 'alice.azero');
    await configureFirefoxNames(bob, pair!.chain.url, 'bob.azero');
    const aliceTab = await firefoxDial(alice, 'bob.azero');
    const bobTab = await firefoxAnswer(bob, aliceTab);
    await until(
      'Bob sees alice.azero verified',
      15_000,
      () => labelledText(bobTab, 'Caller name'),
      (t) => t.includes('alice.azero ✓'),
    );
    await until(
      'Alice sees bob.azero verified',
      15_000,
      () => labelledText(aliceTab, 'Name called'),
      (t) => t.includes('bob.azero ✓'),
    );
    await until(
      'media at Alice',
      40_000,
      () => firefoxMedia(aliceTab),
      (m) => m.framesDecoded > 5,
    );
  });

  it('Alice saves Bob as a contact in the popup and calls him from her contact list', async () => {
    const popup = await openFirefoxPopup(alice);
    await clickButton(popup, 'Add contact');
    await fill(popup, 'Nickname', 'Bobby');
    await fill(popup, 'Address', bob.nodeId);
    await clickButton(popup, 'Save contact');
    await clickButton(popup, 'Call Bobby');
    const aliceTab = await waitForFirefoxCallTab(alice, 15_000);
    await popup.close();
    const bobTab = await firefoxAnswer(bob, aliceTab);
    await expectRelayedMedia('Bob', () => firefoxMedia(bobTab));
    await until(
      'Alice sees "In call"',
      20_000,
      () => firefoxStatus(aliceTab),
      (t) => /in call/i.test(t),
    );
    // The contact outlives the popup: a new one lists it.
    const again = await openFirefoxPopup(alice);
    try {
      await again.waitForSelector('::-p-aria([name="Call Bobby"][role="button"])', { timeout: 10_000 });
    } finally {
      await again.close();
    }
  });
});
