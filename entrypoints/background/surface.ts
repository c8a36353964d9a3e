import browser from 'webextension-polyfill';
import { incomingNotificationExtras } from '../../lib/ext/browser-features';
import type { Verification } from '../../lib/ext/verification';
import type { CallInfo } from '../../lib/protocol/native';
import { incomingNotice } from './incoming-notice';

// What the background shows the user outside its pages: call tabs and the incoming-call
// notification. The only background module that uses browser.tabs / browser.notifications.

const NOTIFICATION_PREFIX = 'incoming:';

export function callPageUrl(callId: string): string {
  return browser.runtime.getURL(`/call.html?call=${callId}`);
}

export function notificationCallId(notificationId: string): string | null {
  return notificationId.startsWith(NOTIFICATION_PREFIX) ? notificationId.slice(NOTIFICATION_PREFIX.length) : null;
}

// A tab on the call's page when the worker has forgotten which (it restarted).
// runtime.getContexts lists our own pages with their tabs, so no `tabs` permission is
// needed to read tab addresses.
async function findCallTab(callId: string): Promise<number | null> {
  const tabs = (await browser.runtime.getContexts({ contextTypes: ['TAB'], documentUrls: [callPageUrl(callId)] }))
    .map((c) => c.tabId)
    .filter((id) => id >= 0);
  return tabs[0] ?? null;
}

// Brings the tab's window to the front; a window that cannot be focused is no reason to fail.
async function raiseWindowOf(tab: { windowId?: number }): Promise<void> {
  if (tab.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true }).catch(() => {});
}

export async function focusTab(tabId: number): Promise<void> {
  const tab = await browser.tabs.update(tabId, { active: true });
  if (tab?.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
}

// Brings the call's tab to the front, opening it if there is none; returns its id.
// `known` is the tab the call was given (a link's waiting tab, or the one opened for it
// before): trusted while it exists, even before it shows the call page. A waiting tab
// takes the call up by loading that page itself, and looking for the page by its address
// in between would open a second tab on the same call; two pages answering one offer
// end the call.
export async function showCallTab(callId: string, known: number | null): Promise<number> {
  if (known !== null) {
    const tab = await browser.tabs.update(known, { active: true }).catch(() => null); // null: closed meanwhile
    if (tab) {
      await raiseWindowOf(tab);
      return known;
    }
  }
  const existing = await findCallTab(callId);
  if (existing !== null) {
    await focusTab(existing);
    return existing;
  }
  const tab = await browser.tabs.create({ url: callPageUrl(callId), active: true });
  await raiseWindowOf(tab);
  if (tab.id === undefined) throw new Error('the browser did not open the call tab');
  return tab.id;
}

// The words (who calls, and what is known of the name claimed) come from incoming-notice.ts.
export async function showIncoming(call: CallInfo, verification: Verification | null): Promise<void> {
  const options = {
    type: 'basic' as const,
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: 'Copybara',
    ...incomingNotice(call, verification),
    isClickable: true,
    ...incomingNotificationExtras(),
  };
  await browser.notifications.create(NOTIFICATION_PREFIX + call.callId, options);
}

export async function clearIncoming(callId: string): Promise<void> {
  await browser.notifications.clear(NOTIFICATION_PREFIX + callId);
}

// --- call links (entrypoints/background/links.ts) ---------------------------------------

export async function openPage(path: string): Promise<number> {
  const tab = await browser.tabs.create({ url: browser.runtime.getURL(`/${path}`), active: true });
  await raiseWindowOf(tab);
  if (tab.id === undefined) throw new Error('the browser did not open the tab');
  return tab.id;
}

export async function replaceTab(tabId: number, path: string): Promise<void> {
  await browser.tabs.update(tabId, { url: browser.runtime.getURL(`/${path}`), active: true });
}

// A page of ours loaded in the tab (one still on its way there does not count yet: the
// caller then replaces the tab once more, with the same page).
export async function showsOurPage(tabId: number): Promise<boolean> {
  return (await browser.runtime.getContexts({ contextTypes: ['TAB'], tabIds: [tabId] })).length > 0;
}

export async function cannotAnswer(message: string): Promise<void> {
  await browser.notifications.create(`link:${Date.now()}`, {
    type: 'basic',
    iconUrl: browser.runtime.getURL('/icon/128.png'),
    title: 'Copybara',
    message: `Cannot answer: ${message}`,
  });
}

export const ANSWER_MENU_IDS = ['copybara-answer-link', 'copybara-answer-selection'];
let menusDone: Promise<void> = Promise.resolve();

// The context menu entries; safe to call more than once (at install and at every start):
// calls are queued, and each replaces what the last one made.
export function registerMenus(): Promise<void> {
  const menus = browser.contextMenus;
  if (!menus) return Promise.resolve();
  const make = (props: Parameters<typeof menus.create>[0]) =>
    new Promise<void>((resolve) => {
      menus.create(props, () => {
        if (browser.runtime.lastError) console.warn('Copybara: context menu', browser.runtime.lastError.message);
        resolve();
      });
    });
  menusDone = menusDone
    .then(() => menus.removeAll())
    .then(() =>
      make({
        id: ANSWER_MENU_IDS[0],
        title: 'Answer Copybara call',
        contexts: ['link'],
        targetUrlPatterns: ['https://copybara.network/*'],
      }),
    )
    .then(() => make({ id: ANSWER_MENU_IDS[1], title: 'Answer Copybara call', contexts: ['selection'] }))
    .catch((err: unknown) => console.warn('Copybara: registering the context menu failed', err));
  return menusDone;
}

// --- publishing (entrypoints/background/publish.ts) -------------------------------------

export async function openWebPage(url: string): Promise<void> {
  const tab = await browser.tabs.create({ url, active: true });
  await raiseWindowOf(tab);
}
