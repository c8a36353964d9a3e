import type { Page } from 'puppeteer-core';
import { until } from './call-checks';
import { type FirefoxSide, firefoxHref, firefoxStatus, firefoxTabsAt, labelledText, openFirefoxPopup } from './firefox-call';
import { clickButton } from './firefox';
import { MESSENGER, messengerWith } from './messenger-page';

// Call links in Firefox, as link-badge.ts does them in Chromium: Alice copies a link in her
// popup; Bob sees it in a messenger page and presses the badge's Answer. The badge's button is
// in a closed shadow root, and a page script's click is ignored by design, so the test presses
// it as a keyboard user does: focus the link, Tab into the badge after it, Enter.

async function oneTabAt(side: FirefoxSide, prefix: string, what: string, timeoutMs: number): Promise<Page> {
  const tabs = await until(
    what,
    timeoutMs,
    () => firefoxTabsAt(side.person, prefix),
    (t) => t.length === 1,
  );
  return tabs[0]!;
}

// Alice presses "Copy call link" in her popup: resolves with the link and the tab that waits.
export async function firefoxMakeLink(side: FirefoxSide): Promise<{ url: string; waiting: Page }> {
  const popup = await openFirefoxPopup(side);
  try {
    await clickButton(popup, 'Copy call link');
    const url = await until(
      `${side.name}'s popup shows the call link`,
      15_000,
      () => labelledText(popup, 'Your call link'),
      (t) => t.startsWith('https://'),
    );
    const waiting = await oneTabAt(side, '/call.html?link=', `${side.name}'s tab waiting for an answer`, 15_000);
    await until(
      `${side.name} waits`,
      15_000,
      () => firefoxStatus(waiting),
      (t) => /waiting for someone to answer your call link/i.test(t),
    );
    return { url, waiting };
  } finally {
    await popup.close();
  }
}

// A tab showing MESSENGER with the link in a message, served through request interception;
// every other request of that tab is refused. Resolves once the extension marked the link.
export async function firefoxMessenger(side: FirefoxSide, url: string): Promise<Page> {
  const page = await side.person.browser.newPage();
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    if (req.url().startsWith(MESSENGER)) {
      void req.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: messengerWith(url) });
    } else void req.abort();
  });
  await page.goto(MESSENGER, { waitUntil: 'load', timeout: 15_000 });
  await until(
    'the link is marked in the messenger page',
    10_000,
    () => page.evaluate(() => document.querySelectorAll('[data-copybara-badge="valid"]').length),
    (n) => n === 1,
  );
  return page;
}

// Presses the badge's Answer from the keyboard (trusted input), then the preview tab's Answer;
// resolves with that tab once it has become the call.
export async function firefoxAnswerFromBadge(side: FirefoxSide, page: Page): Promise<Page> {
  await page.bringToFront();
  await page.evaluate(() => document.querySelector<HTMLAnchorElement>('.message a')?.focus());
  await page.keyboard.press('Tab');
  const onBadge = await page.evaluate(() => document.activeElement?.hasAttribute('data-copybara-badge') ?? false);
  if (!onBadge) throw new Error('Tab from the link did not reach the badge after it');
  await page.keyboard.press('Enter');
  const preview = await oneTabAt(side, '/call.html?preview=', `${side.name}'s link preview tab`, 20_000);
  await clickButton(preview, 'Answer');
  await until(
    'the preview tab becomes the call',
    20_000,
    () => firefoxHref(preview),
    (u) => u.includes('/call.html?call='),
  );
  return preview;
}
