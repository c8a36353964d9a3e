import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../testkit/call-checks';
import { nodeCalls } from '../../testkit/call-flow';
import { type FirefoxSide, firefoxMedia, firefoxStatus, labelledText } from '../../testkit/firefox-call';
import { clickButton, openPage } from '../../testkit/firefox';
import { MENU_IDS_PROBED, menuEntriesExist } from '../../testkit/menus';
import { firefoxAnswerFromBadge, firefoxMakeLink, firefoxMessenger } from '../../testkit/firefox-link-badge';
import { type FirefoxPair, startFirefoxPair } from '../../testkit/firefox-pair';
import { expectRelayedMedia } from '../../testkit/relayed-media';

// A call link answered in Firefox ESR from a messenger page: Alice copies a link in her popup;
// Bob sees it in a Telegram-shaped page (served to his Firefox by WebDriver BiDi's request
// interception, nothing leaves the machine), presses the badge's Answer, then Answer in the
// preview tab; Alice's tab names him and connects when she presses Connect. Names are resolved
// against the SIMULATED contract chain (testkit/sim-chain) on 127.0.0.1.

let pair: FirefoxPair | undefined;
let alice: FirefoxSide;
let bob: FirefoxSide;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  pair = await startFirefoxPair('e2e-ff-links', echo, { names: true });
  ({ alice, bob } = pair);
}, 120_000);

afterAll(() => pair?.stop());

describe('call links in Firefox ESR', () => {
  it("Bob answers Alice's link from a messenger page; her tab names him and connects on Connect; the link then is used", async () => {
    const { url, waiting } = await firefoxMakeLink(alice);
    expect(url).toMatch(/^https:\/\/copybara\.network\/call#[A-Za-z0-9_-]{152,}$/);
    const page = await firefoxMessenger(bob, url);
    const bobTab = await firefoxAnswerFromBadge(bob, page);

    await until(
      "Alice's tab says who answered (his verified name)",
      20_000,
      () => firefoxStatus(waiting),
      (t) => t.includes('bob.azero answered your call link'),
    );
    // Nothing flows before she confirms.
    expect(await nodeCalls(alice)).toEqual([expect.objectContaining({ state: 'incoming', viaLink: true })]);
    await clickButton(waiting, 'Connect');
    for (const [who, tab] of [
      ['Alice', waiting],
      ['Bob', bobTab],
    ] as const) {
      await expectRelayedMedia(
        who,
        () => firefoxMedia(tab),
        (s) => s.remoteVideoWidth > 0,
      );
    }
    await until(
      'Bob sees alice.azero verified',
      10_000,
      () => labelledText(bobTab, 'Name called'),
      (t) => t.includes('alice.azero ✓'),
    );
    await clickButton(bobTab, 'Hang up');
    await until(
      'Alice sees Bob hung up',
      10_000,
      () => firefoxStatus(waiting),
      (t) => /hung up/i.test(t),
    );
    await bobTab.close();

    // The same link again: Alice's node refuses it, and Bob's tab says why.
    const again = await firefoxAnswerFromBadge(bob, page);
    await until(
      'Bob is told the link was used',
      20_000,
      () => firefoxStatus(again),
      (t) => /refused the call: this call link was already used/i.test(t),
    );
  });

  it("the context menu's Answer entries exist in Firefox (its native menu cannot be clicked from a test)", async () => {
    const page = await bob.person.browser.newPage();
    try {
      await openPage(page, `${bob.person.origin}/options.html`);
      // Any extension page may ask.
      const exists = await page.evaluate(menuEntriesExist, MENU_IDS_PROBED);
      expect(exists).toEqual([true, true, false]);
    } finally {
      await page.close();
    }
  });
});
