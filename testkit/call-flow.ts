import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { CallInfo, NodeStatus } from '../lib/protocol/native';
import { EXTENSION_ORIGIN, type Person, launchPerson, openPopup, waitForCallTab } from './browser';
import { framesFlow, statusText, until } from './call-checks';
import { type Proc, cliOutput, startNode } from './processes';
import { screenshot } from './screenshots';

// The steps of a call as a person takes them, shared by the end-to-end tests, the demo and
// the benchmark.

export interface Side {
  name: string;
  person: Person;
  node: Proc;
  nodeId: string;
  profile: string;
}

// `nodeArgs`: more options for the person's node (see startNode).
export async function startSide(root: string, name: string, bootstrap: string, echo: boolean, nodeArgs: string[] = []): Promise<Side> {
  const profile = join(root, `${name}-node`);
  const { proc, nodeId } = await startNode(profile, bootstrap, name, echo, { args: nodeArgs });
  return sideFor({ root, name, bootstrap, node: proc, nodeId, profile });
}

// A person in front of a node that already runs; `executablePath`: the Chromium to launch
// (e.g. a wrapper that starts it in a network namespace).
export async function sideFor(o: {
  root: string;
  name: string;
  bootstrap: string;
  node: Proc;
  nodeId: string;
  profile: string;
  executablePath?: string;
}): Promise<Side> {
  const person = await launchPerson({
    name: o.name,
    userDataDir: join(o.root, `${o.name}-chromium`),
    profile: o.profile,
    bootstrap: o.bootstrap,
    ...(o.executablePath ? { executablePath: o.executablePath } : {}),
  });
  return { name: o.name, person, node: o.node, nodeId: o.nodeId, profile: o.profile };
}

// Any browser's side: its browser closes, then its node stops.
export async function stopSide(side: (Omit<Side, 'person'> & { person: { close(): Promise<void> } }) | undefined): Promise<void> {
  if (!side) return;
  await side.person.close();
  await side.node.stop();
  // A node the browser's bridge started (after the first one was stopped) is stopped too.
  await cliOutput(['stop', '--profile', side.profile]);
}

// Types the target into the popup and presses Call; resolves with the caller's call tab and
// when Call was pressed (Date.now()).
export async function dial(from: Side, target: string): Promise<{ popup: Page; tab: Page; calledAt: number }> {
  const popup = await openPopup(from.person);
  await until(
    'own node id in the popup',
    15_000,
    () => popup.getByLabel('Your node id').textContent(),
    (t) => (t ?? '').includes(from.nodeId),
  );
  await popup.getByLabel('Name or node id').fill(target);
  const tab = waitForCallTab(from.person, 15_000);
  const calledAt = Date.now();
  await popup.getByRole('button', { name: 'Call', exact: true }).click();
  return { popup, tab: await tab, calledAt };
}

// Settings page: `endpoint` as the only Aleph Zero endpoint, and `myName` as My name.
export async function configureNames(side: Side, endpoint: string, myName: string): Promise<void> {
  const page = await side.person.context.newPage();
  await page.goto(`${EXTENSION_ORIGIN}/options.html`);
  await page.getByLabel('Aleph Zero endpoints').fill(endpoint);
  await page.getByLabel('My name').fill(myName);
  await page.getByRole('button', { name: 'Save' }).click();
  await until(
    `${side.name}'s settings saved`,
    10_000,
    async () => (await page.textContent('body')) ?? '',
    (t) => t.includes('Saved'),
  );
  await page.close();
}

// Settings → Network: the network for calls (and sites) to names with both records, chosen once
// the page shows what the node says of Staex. `beforeSave` sees the page with the choice made.
export async function chooseNetwork(side: Side, label: string, staexId: RegExp, beforeSave?: (page: Page) => Promise<void>): Promise<void> {
  const page = await side.person.context.newPage();
  try {
    await page.goto(`${EXTENSION_ORIGIN}/options.html`);
    await until(
      "the settings show the node's Staex id",
      15_000,
      async () => (await page.locator('#staex-status').textContent()) ?? '',
      (t) => staexId.test(t),
    );
    await page.getByLabel(label).check();
    await beforeSave?.(page);
    await page.getByRole('button', { name: 'Save' }).click();
    await until(
      `${side.name}'s network saved`,
      10_000,
      async () => (await page.textContent('body')) ?? '',
      (t) => t.includes('Saved'),
    );
  } finally {
    await page.close();
  }
}

// Popup → Add contact (each node id under its nickname), then Settings → Privacy → "Allow
// direct connections with contacts"; resolves once the node counts them all as allowed directly.
export async function allowDirectWith(side: Side, contacts: { nickname: string; nodeId: string }[]): Promise<void> {
  const popup = await openPopup(side.person);
  for (const { nickname, nodeId } of contacts) {
    await popup.getByRole('button', { name: 'Add contact' }).click();
    await popup.getByLabel('Nickname').fill(nickname);
    await popup.getByLabel('Address').fill(nodeId);
    await popup.getByRole('button', { name: 'Save contact' }).click();
    await popup.getByText(nickname, { exact: true }).first().waitFor({ timeout: 10_000 });
  }
  await popup.close();
  const options = await side.person.context.newPage();
  await options.goto(`${EXTENSION_ORIGIN}/options.html`);
  await options.getByLabel('Allow direct connections with contacts').check();
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText('Saved').first().waitFor({ timeout: 10_000 });
  await options.close();
  await until(
    `${side.name}'s node allows ${contacts.map((c) => c.nickname).join(', ')} directly`,
    15_000,
    async () => JSON.parse((await cliOutput(['status', '--profile', side.profile])).stdout) as NodeStatus,
    (s) => (s.privacy?.directContacts ?? 0) >= contacts.length,
  );
}

// `from` dials `target` from the popup, `to` answers, and video flows both ways.
export async function answeredCall(from: Side, to: Side, target: string = to.nodeId): Promise<{ callerTab: Page; calleeTab: Page }> {
  const { tab: callerTab, popup } = await dial(from, target);
  await popup.close();
  const calleeTab = await answer(to);
  await framesFlow(callerTab, from.name);
  await framesFlow(calleeTab, to.name);
  return { callerTab, calleeTab };
}

export async function answer(to: Side): Promise<Page> {
  const tab = await waitForCallTab(to.person, 20_000);
  await until(
    `${to.name} sees the incoming call`,
    20_000,
    () => statusText(tab),
    (t) => /incoming call/i.test(t),
  );
  await tab.getByRole('button', { name: 'Answer' }).click();
  return tab;
}

// Closing a call tab hangs its call up; wait until the nodes agree, so the next call does
// not find them busy.
export async function closeCallTabs(...sides: Side[]): Promise<void> {
  for (const s of sides) {
    for (const page of s.person.context.pages()) if (page.url().includes('/call.html')) await page.close();
  }
  for (const s of sides) {
    await until(
      `${s.name}'s node has no call in progress`,
      10_000,
      () => liveCalls(s),
      (n) => n === 0,
    );
  }
}

// The calls a node holds that have not ended, from `copybara-host status`.
export async function nodeCalls(side: Pick<Side, 'profile'>): Promise<Pick<CallInfo, 'state' | 'viaLink' | 'route' | 'rttMs'>[]> {
  const { stdout } = await cliOutput(['status', '--profile', side.profile]);
  const calls = (JSON.parse(stdout) as { calls?: CallInfo[] }).calls ?? [];
  return calls.filter((c) => c.state !== 'ended');
}

async function liveCalls(side: Side): Promise<number> {
  return (await nodeCalls(side)).length;
}

// Alice's popup → "Copy call link" (or "Link for…" `callee`) → her tab waiting for the link.
export async function makeLink(side: Side, callee: string | null = null): Promise<{ url: string; waiting: Page; popupText: string }> {
  const popup = await openPopup(side.person);
  await until(
    'own node id in the popup',
    15_000,
    () => popup.getByLabel('Your node id').textContent(),
    (t) => (t ?? '').includes(side.nodeId),
  );
  const waiting = side.person.context.waitForEvent('page', { predicate: (p) => p.url().includes('/call.html?link='), timeout: 15_000 });
  if (callee) {
    await popup.getByLabel('Name or node id').fill(callee);
    await popup.getByRole('button', { name: 'Copy a call link only they can answer' }).click();
  } else await popup.getByRole('button', { name: 'Copy call link' }).click();
  const url = (await popup.getByLabel('Your call link').textContent({ timeout: 15_000 })) ?? '';
  const tab = await waiting;
  const popupText = (await popup.textContent('body')) ?? '';
  await screenshot(popup, 'link-copied');
  await popup.close();
  await until(
    `${side.name} waits`,
    15_000,
    () => statusText(tab),
    (t) => /waiting for someone to answer your call link/i.test(t),
  );
  return { url, waiting: tab, popupText };
}
