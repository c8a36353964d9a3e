import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { type MediaSummary, readMediaInPage, until } from './call-checks';
import type { Side } from './call-flow';
import { type FirefoxPerson, clickButton, fill, launchFirefoxPerson, openPage, openTabs, resyncWhenBlind } from './firefox';
import { type Proc, startNode } from './processes';

// The steps of a call as a person in Firefox takes them: call-flow.ts for a Firefox window.

export interface FirefoxSide extends Omit<Side, 'person'> {
  person: FirefoxPerson;
}

export async function startFirefoxSide(root: string, name: string, bootstrap: string, echo: boolean): Promise<FirefoxSide> {
  const profile = join(root, `${name}-node`);
  const { proc, nodeId } = await startNode(profile, bootstrap, name, echo);
  return firefoxSideFor({ root, name, bootstrap, node: proc, nodeId, profile });
}

export async function firefoxSideFor(o: {
  root: string;
  name: string;
  bootstrap: string;
  node: Proc;
  nodeId: string;
  profile: string;
}): Promise<FirefoxSide> {
  const person = await launchFirefoxPerson({ name: o.name, root: o.root, profile: o.profile, bootstrap: o.bootstrap });
  return { name: o.name, person, node: o.node, nodeId: o.nodeId, profile: o.profile };
}

// WebDriver BiDi reports extension pages' addresses as about:blank, so each page is asked
// for its own.
export async function firefoxHref(page: Page): Promise<string> {
  return page.evaluate(() => location.href).catch(() => '');
}

// The person's tabs showing the extension page whose address starts with `prefix`. Finding
// none, it checks (resyncWhenBlind) whether Firefox has a tab puppeteer never heard of, and
// if so makes the session again and looks once more.
export async function firefoxTabsAt(person: FirefoxPerson, prefix: string): Promise<Page[]> {
  const look = async () => {
    const out: Page[] = [];
    for (const page of await person.browser.pages()) if ((await firefoxHref(page)).startsWith(`${person.origin}${prefix}`)) out.push(page);
    return out;
  };
  const found = await look();
  if (found.length > 0 || !(await resyncWhenBlind(person))) return found;
  console.warn(`${person.name}'s Firefox had a tab puppeteer never listed; its WebDriver BiDi session was made again`);
  return look();
}

export function callTabs(person: FirefoxPerson): Promise<Page[]> {
  return firefoxTabsAt(person, '/call.html');
}

// A failure says what the browser showed instead, and what the node said last, since a
// missing tab may be the browser's doing or a call that never reached the node.
// `caller`: the calling tab, whose words a failure adds (the call may have ended there).
export async function waitForFirefoxCallTab(
  side: { person: FirefoxPerson; node?: Pick<Proc, 'output'> },
  timeoutMs: number,
  caller?: Page,
): Promise<Page> {
  const { person } = side;
  try {
    const tabs = await until(
      `${person.name}'s call tab`,
      timeoutMs,
      () => callTabs(person),
      (t) => t.length > 0,
    );
    return tabs[0]!;
  } catch (err) {
    const shown = await Promise.all(
      (await person.browser.pages().catch(() => [])).map((p) =>
        p.evaluate(() => location.href).catch((e: unknown) => `unreadable (${p.url()}): ${String(e).slice(0, 160)}`),
      ),
    ).catch((e: unknown) => [`pages unreadable: ${String(e)}`]);
    const connected = person.browser.connected ? 'connected' : 'disconnected';
    // What Firefox itself has open: puppeteer's own list is built from events, and a tab
    // whose event never came is missing there.
    const tree = await openTabs(person)
      .then((tabs) => JSON.stringify(tabs.map((t) => t.url)))
      .catch((e: unknown) => `unknown (${String(e).slice(0, 120)})`);
    throw new Error(
      `${String(err)}; ${person.name}'s Firefox (${connected}) shows ${JSON.stringify(shown)}, and has ${tree} open` +
        (caller ? `; the calling tab says ${JSON.stringify(await firefoxStatus(caller).catch(String))}` : '') +
        (side.node ? `; the node said last:\n${side.node.output.slice(-15).join('\n')}` : ''),
    );
  }
}

export function firefoxStatus(page: Page): Promise<string> {
  return page.evaluate(() => document.querySelector('[role="status"]')?.textContent ?? '');
}

export function firefoxMedia(page: Page): Promise<MediaSummary> {
  return page.evaluate(readMediaInPage);
}

export async function openFirefoxPopup(side: Pick<FirefoxSide, 'name' | 'nodeId' | 'person'>): Promise<Page> {
  const popup = await side.person.browser.newPage();
  await openPage(popup, `${side.person.origin}/popup.html`);
  await until(
    `own node id in ${side.name}'s popup`,
    15_000,
    () => popup.evaluate(() => document.body.innerText),
    (t) => t.includes(side.nodeId),
  );
  return popup;
}

// Types the target into the popup and presses Call; resolves with the caller's call tab.
export async function firefoxDial(from: FirefoxSide, target: string): Promise<Page> {
  const popup = await openFirefoxPopup(from);
  await fill(popup, 'Name or node id', target);
  await clickButton(popup, 'Call');
  try {
    return await waitForFirefoxCallTab(from, 15_000);
  } catch (err) {
    const shown = await popup.evaluate(() => document.body.innerText).catch(() => '(unreadable)');
    throw new Error(`${String(err)}; the popup shows: ${shown}`);
  } finally {
    await popup.close();
  }
}

export async function firefoxAnswer(to: FirefoxSide, caller?: Page): Promise<Page> {
  const tab = await waitForFirefoxCallTab(to, 20_000, caller);
  await until(
    `${to.name} sees the incoming call`,
    20_000,
    () => firefoxStatus(tab),
    (t) => /incoming call/i.test(t),
  );
  await clickButton(tab, 'Answer');
  return tab;
}

export async function closeFirefoxCallTabs(side: Pick<FirefoxSide, 'person'>): Promise<void> {
  for (const page of await callTabs(side.person)) await page.close();
}

// Settings page: `endpoint` as the only Aleph Zero endpoint, and `myName` as My name.
export async function configureFirefoxNames(side: FirefoxSide, endpoint: string, myName: string): Promise<void> {
  const page = await side.person.browser.newPage();
  try {
    await openPage(page, `${side.person.origin}/options.html`);
    await fill(page, 'Aleph Zero endpoints', endpoint);
    await fill(page, 'My name', myName);
    await clickButton(page, 'Save');
    await until(
      `${side.name}'s settings saved`,
      10_000,
      () => page.evaluate(() => document.body.innerText),
      (t) => t.includes('Saved'),
    );
  } finally {
    await page.close();
  }
}

// The text of the element with this accessible label (aria-label or a <label>'s control).
export function labelledText(page: Page, label: string): Promise<string> {
  return page.evaluate((l) => {
    const el =
      document.querySelector(`[aria-label="${CSS.escape(l)}"]`) ??
      [...document.querySelectorAll('label')].find((x) => x.textContent?.trim() === l)?.control ??
      null;
    return el?.textContent ?? '';
  }, label);
}
