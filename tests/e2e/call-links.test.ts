import DHT from 'hyperdht';
import type { Page, Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ORIGIN } from '../../testkit/browser';
import { mediaSummary, statusText, until } from '../../testkit/call-checks';
import { type Side, closeCallTabs, configureNames, makeLink as makeLinkAs, nodeCalls, startSide, stopSide } from '../../testkit/call-flow';
import {
  MESSENGER,
  answerFromBadge,
  answerInPreview,
  badgeText,
  isCallTab,
  isPreviewTab,
  messengerWith,
  openMarkedMessenger,
  pressAnswer,
} from '../../testkit/link-badge';
import { MENU_IDS_PROBED, menuEntriesExist } from '../../testkit/menus';
import { screenshot } from '../../testkit/screenshots';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { type Proc, ROOT, startTestnet, tempDir } from '../../testkit/processes';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';
import { createLinkPayload, linkUrl } from '../../lib/links/link';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(ROOT, 'tests/fixtures/messengers');

// Call links between two people in real Chromium, each with their own node on a loopback
// testnet: Alice copies a link in her popup and waits; Bob answers it from a messenger
// page (a local page served for web.telegram.org by Playwright, nothing leaves the
// machine) through the preview tab the badge opens; Alice's tab shows who answered and
// connects when she presses Connect. Then: the link again (refused as used), a link made
// for Bob alone (connects without her click), a badge under a decoy (opens the preview,
// dials nothing), a link opened as a web address (preview, no request), a forged link
// claiming Alice's name (refused: the SIMULATED contract chain, testkit/sim-chain, says
// alice.azero is Alice's node), the context menu entry.

let testnet: Proc;
let dir: { path: string; remove(): Promise<void> };
let alice: Side;
let bob: Side;
let chain: SimulatedChain;
const echo = process.env.COPYBARA_TEST_LOGS === '1';
let messengerHtml = '';
// Requests for copybara.network seen by Playwright's router (should never happen).
const toLinkHost: string[] = [];

beforeAll(async () => {
  dir = await tempDir('e2e-links');
  chain = await startSimulatedChain();
  const net = await startTestnet(echo);
  testnet = net.proc;
  [alice, bob] = await Promise.all([startSide(dir.path, 'alice', net.bootstrap, echo), startSide(dir.path, 'bob', net.bootstrap, echo)]);
  chain.register('alice', { records: { 'copybara-id': alice.nodeId } });
  chain.register('bob', { records: { 'copybara-id': bob.nodeId } });
  await configure(alice, 'alice.azero');
  await configure(bob, 'bob.azero');
  await bob.person.context.route(/^https?:\/\//, (route) => {
    const url = route.request().url();
    if (/^https?:\/\/([^/]*\.)?copybara\.network\b/.test(url)) toLinkHost.push(url);
    if (url.startsWith(MESSENGER) && messengerHtml)
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: messengerHtml });
    return route.abort('blockedbyclient');
  });
}, 90_000);

afterEach(async () => {
  for (const p of bob?.person.context.pages() ?? []) if (p.url().startsWith(MESSENGER)) await p.close();
  await closeCallTabs(alice, bob);
  expect(toLinkHost, 'requests for copybara.network').toEqual([]);
});

afterAll(async () => {
  await Promise.all([stopSide(alice), stopSide(bob)]);
  await testnet?.stop();
  await chain?.close();
  await expectNoLeftovers(dir.path);
  await dir?.remove();
});

function configure(side: Side, myName: string): Promise<void> {
  return configureNames(side, chain.url, myName);
}

// Alice makes a link (the popup must say who alone can answer a bound one).
async function makeLink(callee: string | null = null): Promise<{ url: string; waiting: Page }> {
  const { url, waiting, popupText } = await makeLinkAs(alice, callee);
  if (callee) expect(popupText).toContain(`Only ${callee} can answer it`);
  expect(url).toMatch(/^https:\/\/copybara\.network\/call#[A-Za-z0-9_-]{152,}$/);
  return { url, waiting };
}

// Bob's messenger with the link in a message; resolves once its badge is there.
function showInMessenger(url: string): Promise<Page> {
  messengerHtml = messengerWith(url);
  return openMarkedMessenger(bob.person.context);
}

async function mediaBothWays(tabs: [string, Page][]): Promise<void> {
  for (const [who, tab] of tabs) {
    const m = await until(
      `${who}'s media`,
      30_000,
      // Every tab's words travel with the figures, so a failure says how, and where, the call ended.
      async () => ({
        said: Object.fromEntries(await Promise.all(tabs.map(async ([w, t]) => [w, await statusText(t).catch(String)] as const))),
        ...(await mediaSummary(tab)),
      }),
      (s) => s.framesDecoded > 10 && s.remoteVideoFrames > 5 && s.audioPacketsReceived > 20,
    );
    expect(m.localCandidateType, `${who}'s local candidate`).toBe('relay');
    await until(
      `${who} sees "In call"`,
      10_000,
      () => statusText(tab),
      (t) => /in call/i.test(t),
    );
  }
  // One page per call on each side: two would both answer the one offer.
  for (const side of [alice, bob]) expect(side.person.context.pages().filter(isCallTab), `${side.name}'s call tabs`).toHaveLength(1);
}

describe('call links in real Chromium', () => {
  it("Bob answers Alice's link through the preview; her tab shows him and connects only on Connect; the link then is used", async () => {
    const { url, waiting } = await makeLink();
    const page = await showInMessenger(url);

    const bobTab = await answerFromBadge(page);
    // Alice's waiting tab turns into the call, asking her: whoever holds a link can answer it.
    await until(
      "Alice's waiting tab shows the call",
      20_000,
      async () => waiting.url(),
      (u) => u.includes('/call.html?call='),
    );
    await until(
      "Alice's tab says who answered (his verified name)",
      20_000,
      () => statusText(waiting),
      (t) => t.includes('bob.azero answered your call link'),
    );
    await waiting.getByRole('button', { name: 'Connect' }).waitFor({ timeout: 5000 });
    expect(await waiting.getByText('via your call link').count()).toBe(1);
    // Nothing flows before she confirms: both nodes hold the call unanswered, and neither
    // tab has a peer connection (nor, on Alice's side, camera or TURN credentials).
    await new Promise((r) => setTimeout(r, 2000));
    expect(await nodeCalls(alice)).toEqual([expect.objectContaining({ state: 'incoming', viaLink: true })]);
    expect((await nodeCalls(bob)).map((c) => c.state)).toEqual(['ringing']);
    for (const tab of [waiting, bobTab]) expect(await tab.evaluate(() => globalThis.copybaraDebug.pc() === null)).toBe(true);
    await screenshot(waiting, 'link-answered-connect');

    await waiting.getByRole('button', { name: 'Connect' }).click();
    await mediaBothWays([
      ['Alice', waiting],
      ['Bob', bobTab],
    ]);
    expect(page.url(), 'the messenger page stayed where it was').toBe(MESSENGER);

    // The link claims alice.azero; the simulated chain vouches for her node.
    await until(
      'Bob sees alice.azero verified',
      10_000,
      () => bobTab.getByLabel('Name called').textContent(),
      (t) => (t ?? '').includes('alice.azero ✓'),
    );
    await until(
      'the badge shows the verified name',
      10_000,
      () => badgeText(page),
      (t) => t.includes('alice.azero ✓'),
    );
    await screenshot(page, 'link-in-messenger');

    await bobTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'Alice sees Bob hung up',
      10_000,
      () => statusText(waiting),
      (t) => /hung up/i.test(t),
    );
    await closeCallTabs(alice, bob);

    // The same link again: Alice's node refuses it, and Bob's tab says why.
    const again = await answerFromBadge(page);
    await until(
      'Bob is told the link was used',
      20_000,
      () => statusText(again),
      (t) => /refused the call: this call link was already used/i.test(t),
    );
  });

  it('a link Alice made for bob.azero alone connects without her click when Bob answers it', async () => {
    const { url, waiting } = await makeLink('bob.azero');
    const page = await showInMessenger(url);
    const bobTab = await answerFromBadge(page);
    await until(
      "Alice's waiting tab shows the call",
      20_000,
      async () => waiting.url(),
      (u) => u.includes('/call.html?call='),
    );
    expect(await waiting.getByRole('button', { name: 'Connect' }).count()).toBe(0);
    await mediaBothWays([
      ['Alice', waiting],
      ['Bob', bobTab],
    ]);
    await bobTab.getByRole('button', { name: 'Hang up' }).click();
  });

  it('a badge made nearly invisible over a decoy: a real click opens the preview and places no call', async () => {
    const { url, waiting } = await makeLink();
    messengerHtml = readFileSync(join(FIXTURES, 'telegram-k-clickjack.html'), 'utf8').replaceAll('{{LINK}}', url);
    const page = await openMarkedMessenger(bob.person.context);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.bubble')!).opacity)).toBe('0.01');
    const previewEvent = bob.person.context.waitForEvent('page', { predicate: isPreviewTab, timeout: 20_000 });
    await pressAnswer(page); // Playwright's real mouse, at the decoy's place: a trusted click
    const preview = await previewEvent;
    await preview.getByRole('button', { name: 'Answer' }).waitFor({ timeout: 10_000 });
    // Give a dial every chance to show: none is placed, on either side.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await nodeCalls(bob), "Bob's node").toEqual([]);
    expect(await nodeCalls(alice), "Alice's node").toEqual([]);
    expect(bob.person.context.pages().filter(isCallTab), 'call tabs').toEqual([]);
    expect(await statusText(waiting)).toMatch(/waiting for someone to answer your call link/i);
    await preview.getByRole('button', { name: 'Dismiss' }).click();
    await waiting.getByRole('button', { name: 'Stop waiting' }).click();
  });

  it('a link opened as a web address shows the preview (no request leaves); Answer rings Alice when she is not waiting', async () => {
    const { url, waiting } = await makeLink();
    await waiting.getByRole('button', { name: 'Stop waiting' }).click();
    await until(
      'Alice stopped waiting',
      5000,
      () => statusText(waiting),
      (t) => /stopped waiting/i.test(t),
    );

    const tab = await bob.person.context.newPage();
    // The instrument works: an address on copybara.network that is not a call link does
    // reach Playwright's router (which aborts it), and is seen there.
    await tab.goto('https://copybara.network/about', { timeout: 10_000 }).catch(() => {});
    expect(toLinkHost.splice(0)).toEqual(['https://copybara.network/about']);

    await tab.goto(url, { timeout: 10_000 }).catch(() => {}); // the navigation is taken over
    await until(
      'the tab shows the preview',
      10_000,
      async () => tab.url(),
      (u) => u.startsWith(`${EXTENSION_ORIGIN}/call.html?preview=`),
    );
    await tab.getByRole('button', { name: 'Answer' }).waitFor({ timeout: 10_000 });
    expect(await tab.getByRole('button', { name: 'Dismiss' }).count()).toBe(1);
    // Who it is from: the name the link claims, verified against the simulated chain.
    await until(
      'the preview names Alice',
      10_000,
      async () => (await tab.textContent('body')) ?? '',
      (t) => t.includes('Call from alice.azero ✓'),
    );
    await screenshot(tab, 'link-preview');

    // Nothing is dialled without the click; the click dials in this same tab.
    expect(alice.person.context.pages().filter(isCallTab)).toEqual([]);
    await tab.getByRole('button', { name: 'Answer' }).click();
    await until(
      'the preview tab becomes the call',
      15_000,
      async () => tab.url(),
      (u) => u.includes('/call.html?call='),
    );
    const aliceTab = await until(
      "Alice's call tab",
      20_000,
      async () => alice.person.context.pages().find(isCallTab),
      (p) => p !== undefined,
    );
    if (!aliceTab) throw new Error('unreachable');
    await until(
      'Alice hears it ring',
      20_000,
      () => statusText(aliceTab),
      (t) => /incoming call/i.test(t),
    );
    await aliceTab.getByRole('button', { name: 'Answer' }).click();
    await mediaBothWays([
      ['Alice', aliceTab],
      ['Bob', tab],
    ]);
  });

  it('a link re-signed by another key claiming alice.azero is refused, and nothing is dialled', async () => {
    const mallory = DHT.keyPair();
    const forged = createLinkPayload({
      secretKey: mallory.secretKey,
      invitation: Buffer.alloc(8, 0x42),
      createdAt: Math.floor(Date.now() / 1000) - 60,
      lifetimeS: 3600,
      name: 'alice.azero',
    });
    const page = await showInMessenger(linkUrl(forged));
    await pressAnswer(page);
    const refusal = "This link claims alice.azero but was not made by that name's node";
    await until(
      'the badge says why',
      15_000,
      () => badgeText(page),
      (t) => t.includes(refusal),
    );
    expect(bob.person.context.pages().filter(isCallTab), 'call tabs').toEqual([]);

    // Opened as an address: the preview says the same and offers no Answer.
    const tab = await bob.person.context.newPage();
    await tab.goto(linkUrl(forged), { timeout: 10_000 }).catch(() => {});
    await until(
      'the preview refuses',
      15_000,
      async () => (await tab.textContent('body').catch(() => '')) ?? '',
      (t) => t.includes(refusal),
    );
    expect(await tab.getByRole('button', { name: 'Answer' }).count()).toBe(0);
    await tab.close();
  });

  it('Bob answers from the context menu: the menu click event opens the same preview', async () => {
    const { url, waiting } = await makeLink();
    const page = await showInMessenger(url);
    const worker = bob.person.context.serviceWorkers().find((w: Worker) => w.url().startsWith(EXTENSION_ORIGIN))!;
    const previewEvent = bob.person.context.waitForEvent('page', { predicate: isPreviewTab, timeout: 20_000 });
    // Playwright cannot open Chromium's native menu; dispatching the onClicked event Chromium
    // fires for "Answer Copybara call" on a link runs the extension's own listener with the
    // same data a right-click gives it.
    await worker.evaluate(
      ({ linkUrl, pageUrl }) => {
        type Dispatch = { dispatch(info: object, tab: object): void };
        const menus = (globalThis as unknown as { chrome: { contextMenus: { onClicked: Dispatch } } }).chrome.contextMenus;
        menus.onClicked.dispatch({ menuItemId: 'copybara-answer-link', linkUrl, pageUrl, editable: false }, { id: -1 });
      },
      { linkUrl: url, pageUrl: MESSENGER },
    );
    // The menu opens the preview, like a badge; the call is placed from there.
    const bobTab = await answerInPreview(await previewEvent);
    await until(
      "Alice's waiting tab asks her",
      20_000,
      () => statusText(waiting),
      (t) => t.includes('bob.azero answered your call link'),
    );
    await waiting.getByRole('button', { name: 'Connect' }).click();
    await mediaBothWays([
      ['Alice', waiting],
      ['Bob', bobTab],
    ]);
    await until(
      'Bob sees alice.azero verified',
      10_000,
      () => bobTab.getByLabel('Name called').textContent(),
      (t) => (t ?? '').includes('alice.azero ✓'),
    );
    await bobTab.getByRole('button', { name: 'Hang up' }).click();
    await page.close();
  });

  it('the context menu entries exist (clicking them is not possible from Playwright)', async () => {
    const worker = bob.person.context.serviceWorkers().find((w: Worker) => w.url().startsWith(EXTENSION_ORIGIN))!;
    const exists = await worker.evaluate(menuEntriesExist, MENU_IDS_PROBED);
    expect(exists).toEqual([true, true, false]);
  });
});
