import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Page as FirefoxPage } from 'puppeteer-core';
import { launchPerson, openPopup, waitForCallTab } from '../../testkit/browser';
import { firstTime, mediaSummary, statusText, until } from '../../testkit/call-checks';
import { closeCallTabs, nodeCalls, type Side } from '../../testkit/call-flow';
import { clickButton, fill, launchFirefoxPerson } from '../../testkit/firefox';
import { closeFirefoxCallTabs, firefoxMedia, firefoxStatus, openFirefoxPopup, waitForFirefoxCallTab } from '../../testkit/firefox-call';
import type { Cleanup } from './cleanup';
import { bounded, progress } from './cleanup';
import { type Distribution, distribution, round } from './stats';

// Call → first frame between every pair of browsers the extension runs in: Chromium ↔
// Chromium, Firefox ↔ Firefox, Chromium → Firefox and Firefox → Chromium, timed the same way
// in the same run, so they compare. Times come from this script's clock: Call pressed (the
// click returned), the callee's tab showing the incoming call (polled), Answer pressed, and
// the first remote video frame decoded on each side (polled).

const POLL_MS = 20;

type Kind = 'chromium' | 'firefox';

interface CallTab {
  status(): Promise<string>;
  framesDecoded(): Promise<number>;
  answer(): Promise<void>;
}

interface BenchPerson {
  name: string;
  kind: Kind;
  nodeId: string;
  profile: string;
  // Opens the popup, types the target and presses Call; resolves with when Call was pressed.
  dial(target: string): Promise<number>;
  callTab(timeoutMs: number): Promise<CallTab>;
  hangUp(): Promise<void>;
  close(): Promise<void>;
}

export interface BenchNode {
  name: string;
  nodeId: string;
  profile: string;
}

function chromiumTab(page: Page): CallTab {
  return {
    status: () => statusText(page),
    framesDecoded: async () => (await mediaSummary(page)).framesDecoded,
    answer: () => page.getByRole('button', { name: 'Answer' }).click({ timeout: 10_000 }),
  };
}

function firefoxTab(page: FirefoxPage): CallTab {
  return {
    status: () => firefoxStatus(page),
    framesDecoded: async () => (await firefoxMedia(page)).framesDecoded,
    answer: () => clickButton(page, 'Answer'),
  };
}

async function noCall(node: BenchNode): Promise<void> {
  await until(
    `${node.name}'s node has no call in progress`,
    10_000,
    async () => (await nodeCalls(node)).length,
    (n) => n === 0,
  );
}

export async function chromiumPerson(
  cleanup: Cleanup,
  root: string,
  node: BenchNode & { side: Omit<Side, 'person'> },
  bootstrap: string,
): Promise<BenchPerson> {
  const person = await launchPerson({
    name: node.name,
    userDataDir: join(root, `${node.name}-chromium`),
    profile: node.profile,
    bootstrap,
  });
  const close = cleanup.defer(`close ${node.name}'s Chromium`, () => person.close());
  const side: Side = { ...node.side, person };
  return {
    ...node,
    kind: 'chromium',
    close,
    async dial(target) {
      const popup = await openPopup(person);
      await until(
        'own node id in the popup',
        15_000,
        () => popup.getByLabel('Your node id').textContent({ timeout: 2000 }),
        (t) => (t ?? '').includes(node.nodeId),
      );
      await popup.getByLabel('Name or node id').fill(target);
      await popup.getByRole('button', { name: 'Call', exact: true }).click({ timeout: 10_000 });
      const at = performance.now();
      await popup.close();
      return at;
    },
    callTab: async (timeoutMs) => chromiumTab(await waitForCallTab(person, timeoutMs)),
    async hangUp() {
      await closeCallTabs(side);
    },
  };
}

export async function firefoxPerson(cleanup: Cleanup, root: string, node: BenchNode, bootstrap: string): Promise<BenchPerson> {
  const person = await launchFirefoxPerson({ name: node.name, root, profile: node.profile, bootstrap });
  const close = cleanup.defer(`close ${node.name}'s Firefox`, () => person.close());
  const side = { ...node, person };
  return {
    ...node,
    kind: 'firefox',
    close,
    async dial(target) {
      const popup = await openFirefoxPopup(side);
      await fill(popup, 'Name or node id', target);
      await clickButton(popup, 'Call');
      const at = performance.now();
      await popup.close();
      return at;
    },
    callTab: async (timeoutMs) => firefoxTab(await waitForFirefoxCallTab(side, timeoutMs)),
    async hangUp() {
      await closeFirefoxCallTabs(side);
      await noCall(node);
    },
  };
}

interface PairTiming {
  callToCallerFrameMs: number;
  answerToBothFramesMs: number;
  ringMs: number;
}

async function timeOnce(caller: BenchPerson, callee: BenchPerson): Promise<PairTiming> {
  try {
    const tCall = await caller.dial(callee.nodeId);
    const [callerTab, calleeTab] = await Promise.all([caller.callTab(15_000), callee.callTab(20_000)]);
    const incoming = await firstTime(
      'the callee sees the incoming call',
      20_000,
      () => calleeTab.status(),
      (t) => /incoming call/i.test(t),
      POLL_MS,
    );
    await calleeTab.answer();
    const tAnswer = performance.now();
    const [atCaller, atCallee] = await Promise.all([
      firstTime(
        'first remote video frame at the caller',
        30_000,
        () => callerTab.framesDecoded(),
        (n) => n > 0,
        POLL_MS,
      ),
      firstTime(
        'first remote video frame at the callee',
        30_000,
        () => calleeTab.framesDecoded(),
        (n) => n > 0,
        POLL_MS,
      ),
    ]);
    return {
      callToCallerFrameMs: round(atCaller.at - tCall, 1),
      answerToBothFramesMs: round(Math.max(atCaller.at, atCallee.at) - tAnswer, 1),
      ringMs: round(incoming.at - tCall, 1),
    };
  } finally {
    await caller.hangUp();
    await callee.hangUp();
  }
}

export interface PairResult {
  pair: string;
  callToCallerFrameMs: Distribution;
  answerToBothFramesMs: Distribution;
  ringMs: Distribution;
  perCall: PairTiming[];
}

export async function benchBrowserPairs(pairs: [BenchPerson, BenchPerson][], rounds: number): Promise<PairResult[]> {
  const out: PairResult[] = [];
  for (const [caller, callee] of pairs) {
    const pair = `${caller.kind} -> ${callee.kind}`;
    const perCall: PairTiming[] = [];
    for (let i = 0; i < rounds; i++) {
      const t = await bounded(`${pair} call ${i + 1}`, () => timeOnce(caller, callee), 90_000);
      perCall.push(t);
      progress(`browsers: ${pair} ${i + 1}/${rounds}: Call -> caller's first frame ${t.callToCallerFrameMs} ms`);
    }
    out.push({
      pair,
      callToCallerFrameMs: distribution(
        perCall.map((c) => c.callToCallerFrameMs),
        1,
      ),
      answerToBothFramesMs: distribution(
        perCall.map((c) => c.answerToBothFramesMs),
        1,
      ),
      ringMs: distribution(
        perCall.map((c) => c.ringMs),
        1,
      ),
      perCall,
    });
  }
  return out;
}
