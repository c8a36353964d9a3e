import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { EXTENSION_ORIGIN } from './browser';
import { until } from './call-checks';
import { MESSENGER } from './messenger-page';

export { MESSENGER, messengerWith } from './messenger-page';

// A call link shown in a Telegram-shaped message list, and the badge the extension puts
// beside it, for the end-to-end tests of answering links. The badge lives in a closed
// shadow root, so it is read and pressed through CDP.

export const isCallTab = (p: Page) => p.url().startsWith(`${EXTENSION_ORIGIN}/call.html?call=`);
export const isPreviewTab = (p: Page) => p.url().startsWith(`${EXTENSION_ORIGIN}/call.html?preview=`);

// Opens MESSENGER (served by the test's route) and resolves once its one link is marked.
export async function openMarkedMessenger(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(MESSENGER, { waitUntil: 'load', timeout: 15_000 });
  await until(
    'the link is marked',
    10_000,
    () => page.evaluate(() => document.querySelectorAll('[data-copybara-badge="valid"]').length),
    (n) => n === 1,
  );
  return page;
}

type DomNode = {
  nodeName: string;
  nodeType: number;
  nodeValue?: string;
  backendNodeId: number;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
};

async function withDocument<T>(page: Page, use: (root: DomNode, cdp: CDPSession) => Promise<T>): Promise<T> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    return await use(root, cdp);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

// The text of every badge.
export function badgeText(page: Page): Promise<string> {
  return withDocument(page, async (root) => {
    let text = '';
    const walk = (n: DomNode, inBadge: boolean) => {
      const badge = inBadge || (n.attributes ?? []).includes('data-copybara-badge');
      if (badge && n.nodeType === 3) text += n.nodeValue ?? '';
      for (const c of [...(n.shadowRoots ?? []), ...(n.children ?? [])]) walk(c, badge);
    };
    walk(root, false);
    return text;
  });
}

// Presses the badge's Answer with the real mouse (a trusted click).
export function pressAnswer(page: Page): Promise<void> {
  return withDocument(page, async (root, cdp) => {
    let found: DomNode | null = null;
    const walk = (n: DomNode) => {
      const a = n.attributes ?? [];
      const i = a.indexOf('aria-label');
      if (n.nodeName === 'BUTTON' && i >= 0 && a[i + 1] === 'Answer Copybara call') found = n;
      for (const c of [...(n.children ?? []), ...(n.shadowRoots ?? [])]) walk(c);
    };
    walk(root);
    if (!found) throw new Error('no Answer button in the badge');
    const { backendNodeId } = found as DomNode;
    await cdp.send('DOM.scrollIntoViewIfNeeded', { backendNodeId });
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId })) as { model: { border: number[] } };
    const q = model.border;
    await page.mouse.click((q[0]! + q[2]! + q[4]! + q[6]!) / 4, (q[1]! + q[3]! + q[5]! + q[7]!) / 4);
  });
}

// A badge's Answer opens the preview tab (the badge never dials; the page controls what
// surrounds it). Presses it, then the preview's Answer; resolves with that tab once it shows
// the call it dialled.
export async function answerFromBadge(page: Page): Promise<Page> {
  const opened = page.context().waitForEvent('page', { predicate: isPreviewTab, timeout: 20_000 });
  await pressAnswer(page);
  return answerInPreview(await opened);
}

export async function answerInPreview(tab: Page): Promise<Page> {
  await tab.getByRole('button', { name: 'Answer' }).click({ timeout: 15_000 });
  await until(
    'the preview tab becomes the call',
    20_000,
    async () => tab.url(),
    (u) => u.includes('/call.html?call='),
  );
  return tab;
}
