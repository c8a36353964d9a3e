import type { Worker } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { NODE_ID_PATTERN, encodeNodeId } from '../../lib/node-id';
import { waitForCallTab } from '../../testkit/browser';
import { mediaSummary, statusText, until } from '../../testkit/call-checks';
import { type Side, answer, answeredCall, dial, nodeCalls } from '../../testkit/call-flow';
import { processesMentioning } from '../../testkit/leftovers';
import { expectRelayedMedia } from '../../testkit/relayed-media';
import { screenshot } from '../../testkit/screenshots';
import { twoPeopleOnTestnet } from '../../testkit/two-people';

// Two people, each with their own Chromium profile, extension build, native host and node,
// on a HyperDHT testnet on 127.0.0.1. Nothing here talks to any other address.

const people = twoPeopleOnTestnet();
let alice: Side;
let bob: Side;
beforeAll(() => {
  ({ alice, bob } = people);
});

describe('a call by node id in real Chromium', () => {
  it('Alice calls Bob, Bob answers, media flows only through the two relays, hang-up ends both', async () => {
    const { tab: aliceTab, popup } = await dial(alice, bob.nodeId);
    await popup.close();
    const bobTab = await waitForCallTab(bob.person, 20_000);
    await until(
      'Bob sees who is calling',
      20_000,
      () => statusText(bobTab),
      (t) => /incoming call/i.test(t),
    );
    await until(
      'Alice hears it ring',
      10_000,
      () => statusText(aliceTab),
      (t) => /ringing/i.test(t),
    );
    await answer(bob);

    for (const [who, tab] of [
      ['Alice', aliceTab],
      ['Bob', bobTab],
    ] as const) {
      await expectRelayedMedia(
        who,
        () => mediaSummary(tab),
        (s) => s.remoteVideoFrames > 5,
      );
      await until(
        `${who} sees "In call"`,
        5000,
        () => statusText(tab),
        (t) => /in call/i.test(t),
      );
    }
    await screenshot(aliceTab, 'in-call');
    // Private by default: both nodes reach each other through the testnet's relay, and say so.
    for (const [who, side, tab] of [
      ['Alice', alice, aliceTab],
      ['Bob', bob, bobTab],
    ] as const) {
      const [call] = await nodeCalls(side);
      expect(call?.route?.relay, `${who}'s node: the call's path`).toMatch(NODE_ID_PATTERN);
      await tab.getByRole('button', { name: 'Call details' }).click();
      await expect.poll(() => tab.locator('[data-stat="route"]').textContent(), { timeout: 5000 }).toMatch(/^Relayed through relay \S+/);
    }
    // Stats fill in once a second; the picture wants them.
    await expect.poll(() => aliceTab.locator('[data-stat="roundTripTime"]').getAttribute('data-value'), { timeout: 5000 }).not.toBe('');
    await screenshot(aliceTab, 'call-details-relayed');
    const codes = await Promise.all([aliceTab, bobTab].map((t) => t.getByLabel('Safety code').textContent()));
    expect(codes[0]).toMatch(/\d{3} \d{3} \d{3} \d{3}/);
    expect(codes[0]).toBe(codes[1]);

    // Alice duplicates her call tab: the copy says where the call is and touches nothing of it.
    const copy = await alice.person.context.newPage();
    await copy.goto(aliceTab.url());
    await until(
      'the copy says the call is in another tab',
      10_000,
      () => statusText(copy),
      (t) => t.includes('Open in another tab'),
    );
    expect(await copy.evaluate(() => globalThis.copybaraDebug.pc() === null)).toBe(true);
    await copy.close();
    const before = (await mediaSummary(bobTab)).framesDecoded;
    await until(
      'the call goes on in the first tabs',
      10_000,
      async () => ({ frames: (await mediaSummary(bobTab)).framesDecoded, alice: await statusText(aliceTab) }),
      (s) => s.frames > before + 10 && /in call/i.test(s.alice),
    );

    await aliceTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'Alice sees the call ended',
      5000,
      () => statusText(aliceTab),
      (t) => /you hung up/i.test(t),
    );
    await until(
      'Bob sees Alice hung up',
      10_000,
      () => statusText(bobTab),
      (t) => /hung up/i.test(t),
    );
    await until(
      "Bob's connection closes",
      5000,
      () => mediaSummary(bobTab),
      (m) => /closed|none/.test(m.connectionState),
    );
  });

  it('Bob declines and Alice is told in words', async () => {
    const { tab: aliceTab, popup } = await dial(alice, bob.nodeId);
    await popup.close();
    const bobTab = await waitForCallTab(bob.person, 20_000);
    await bobTab.getByRole('button', { name: 'Decline' }).click();
    await until(
      'Alice sees the decline',
      10_000,
      () => statusText(aliceTab),
      (t) => /declined/i.test(t),
    );
    await until(
      'Bob sees he declined',
      5000,
      () => statusText(bobTab),
      (t) => /declined/i.test(t),
    );
  });

  it('calling a node id nobody runs ends as unreachable within a bounded time', async () => {
    const nobody = encodeNodeId(new Uint8Array(32).fill(7));
    const { tab, popup } = await dial(alice, nobody);
    await popup.close();
    await until(
      'Alice sees unreachable',
      25_000,
      () => statusText(tab),
      (t) => /not reachable/i.test(t),
    );
  });
});

type Chrome = { notifications: { getAll(): Promise<Record<string, unknown>> } };

function notificationIds(worker: Worker): Promise<string[]> {
  return worker.evaluate(async () => Object.keys(await (globalThis as unknown as { chrome: Chrome }).chrome.notifications.getAll()));
}

describe('faults during a call', () => {
  async function inCall() {
    const { callerTab: aliceTab, calleeTab: bobTab } = await answeredCall(alice, bob);
    return { aliceTab, bobTab };
  }

  it('rings with a system notification on the callee side', async () => {
    const { tab: aliceTab, popup } = await dial(alice, bob.nodeId);
    await popup.close();
    await waitForCallTab(bob.person, 20_000);
    const worker = bob.person.context.serviceWorkers().find((w) => w.url().startsWith('chrome-extension://'))!;
    const ids = await until(
      'a notification',
      10_000,
      () => notificationIds(worker),
      (n) => n.length > 0,
    );
    expect(ids.length).toBe(1);
    await aliceTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'the notification goes away',
      10_000,
      () => notificationIds(worker),
      (n) => n.length === 0,
    );
  });

  it('the bridge dying mid-call leaves the call running, and the extension reconnects', async () => {
    const { aliceTab, bobTab } = await inCall();
    const bridges = (await processesMentioning(bob.profile)).filter((p) => / bridge( |$)/.test(p.cmdline));
    expect(bridges.length).toBeGreaterThan(0);
    for (const b of bridges) process.kill(b.pid, 'SIGKILL');
    const before = (await mediaSummary(bobTab)).framesDecoded;
    await until(
      'media keeps flowing',
      10_000,
      () => mediaSummary(bobTab),
      (m) => m.framesDecoded > before + 30,
    );
    await until(
      'a new bridge',
      15_000,
      async () => (await processesMentioning(bob.profile)).filter((p) => / bridge( |$)/.test(p.cmdline)).length,
      (n) => n > 0,
    );
    // Hang-up after the reconnect still reaches the node, and through it Alice.
    await bobTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'Alice sees Bob hung up',
      10_000,
      () => statusText(aliceTab),
      (t) => /hung up/i.test(t),
    );
  });

  it("the peer's node vanishing mid-call: Alice's node tries to reconnect, then the call ends with the reason", async () => {
    const { aliceTab } = await inCall();
    bob.node.child.kill('SIGKILL');
    // 2.5 s of silence makes the call reconnect. Bob's browser may start a fresh node meanwhile,
    // which no longer has the call (the reconnect then ends at once), or nobody answers for 10 s:
    // either way the call ends, saying the connection was lost.
    await until(
      'Alice is told the connection was lost',
      20_000,
      () => statusText(aliceTab),
      (t) => /connection to .* was lost/i.test(t),
    );
    expect(alice.node.output.some((l) => /lost its connection \(.*\); reconnecting/.test(l))).toBe(true);
  });
});
