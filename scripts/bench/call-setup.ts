import type { Page } from 'playwright-core';
import { openPopup, waitForCallTab } from '../../testkit/browser';
import { firstTime as firstTimeEvery, mediaSummary, statusText, until } from '../../testkit/call-checks';
import { type Side, closeCallTabs } from '../../testkit/call-flow';
import { bounded } from './cleanup';
import { round } from './stats';

// Call set-up in real Chromium, timed from the script's clicks: Alice presses Call, the
// script presses Answer on Bob's call tab as soon as it shows the incoming call, and both
// tabs are polled until their RTCPeerConnection has decoded a remote video frame.

export const POLL_MS = 20;

export interface CallTiming {
  /** Playwright's click() on Call, from its start to the click event in the page. */
  callClickMs: number;
  /** Call pressed -> the script sees "incoming call" in Bob's tab. */
  ringMs: number;
  /** The script sees the incoming call -> Answer pressed (the script's reaction time). */
  reactionMs: number;
  /** Call pressed -> first remote video frame decoded at the caller. */
  callToCallerFrameMs: number;
  /** Answer pressed -> first remote video frame decoded at the caller / callee / both. */
  answerToCallerFrameMs: number;
  answerToCalleeFrameMs: number;
  answerToBothFramesMs: number;
  candidates: { caller: string; callee: string };
  /** 'page': press times stamped by the page's own click listener; 'script': fallback. */
  pressTimes: 'page' | 'script';
}

// Playwright's click() first waits for the button to be visible, stable (two animation
// frames) and enabled, which can take a few hundred ms on a busy machine. The moment of the
// press is the click event itself, stamped in the page and carried over to this process's
// clock through the two wall-clock time origins (same machine, same clock).
async function armClickStamp(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = globalThis as unknown as { __benchClickAt?: number };
    delete w.__benchClickAt;
    document.addEventListener('click', () => (w.__benchClickAt ??= performance.timeOrigin + performance.now()), {
      capture: true,
      once: true,
    });
  });
}

/** Presses `click` and returns when the page saw the click, on this process's performance clock. */
async function pressAt(page: Page, click: () => Promise<void>): Promise<{ at: number; fromPage: boolean }> {
  await armClickStamp(page);
  const before = performance.now();
  await click();
  const after = performance.now();
  const epoch = await page.evaluate(() => (globalThis as unknown as { __benchClickAt?: number }).__benchClickAt ?? null).catch(() => null);
  const at = epoch === null ? null : epoch - performance.timeOrigin;
  // Trust the page's stamp only if it falls inside the click() call (allowing clock slop).
  if (at !== null && at >= before - 5 && at <= after + 5) return { at: Math.min(Math.max(at, before), after), fromPage: true };
  return { at: before, fromPage: false };
}

const firstTime = <T>(what: string, timeoutMs: number, probe: () => Promise<T>, ok: (v: T) => boolean) =>
  firstTimeEvery(what, timeoutMs, probe, ok, POLL_MS);

const decoded = (tab: Page) => mediaSummary(tab);

export async function timeOneCall(alice: Side, bob: Side): Promise<CallTiming> {
  const popup = await openPopup(alice.person);
  try {
    await until(
      'own node id in the popup',
      15_000,
      () => popup.getByLabel('Your node id').textContent({ timeout: 2000 }),
      (t) => (t ?? '').includes(alice.nodeId),
    );
    await popup.getByLabel('Name or node id').fill(bob.nodeId);
    const aliceTabP = waitForCallTab(alice.person, 15_000);
    const bobTabP = waitForCallTab(bob.person, 20_000);
    // Playwright rejects these on timeout; keep them from being unhandled if the click fails.
    aliceTabP.catch(() => {});
    bobTabP.catch(() => {});

    const clickStart = performance.now();
    const call = await pressAt(popup, () => popup.getByRole('button', { name: 'Call', exact: true }).click({ timeout: 10_000 }));
    const tCall = call.at;
    const [aliceTab, bobTab] = await Promise.all([aliceTabP, bobTabP]);

    const incoming = await firstTime(
      'Bob sees the incoming call',
      20_000,
      () => statusText(bobTab),
      (t) => /incoming call/i.test(t),
    );
    const answer = await pressAt(bobTab, () => bobTab.getByRole('button', { name: 'Answer' }).click({ timeout: 10_000 }));
    const tAnswer = answer.at;

    // Both sides polled concurrently, each on its own POLL_MS loop.
    const [atAlice, atBob] = await Promise.all([
      firstTime(
        'first remote video frame at the caller',
        30_000,
        () => decoded(aliceTab),
        (m) => m.framesDecoded > 0,
      ),
      firstTime(
        'first remote video frame at the callee',
        30_000,
        () => decoded(bobTab),
        (m) => m.framesDecoded > 0,
      ),
    ]);
    return {
      callClickMs: round(tCall - clickStart, 1),
      ringMs: round(incoming.at - tCall, 1),
      reactionMs: round(tAnswer - incoming.at, 1),
      callToCallerFrameMs: round(atAlice.at - tCall, 1),
      answerToCallerFrameMs: round(atAlice.at - tAnswer, 1),
      answerToCalleeFrameMs: round(atBob.at - tAnswer, 1),
      answerToBothFramesMs: round(Math.max(atAlice.at, atBob.at) - tAnswer, 1),
      candidates: {
        caller: `${atAlice.value.localCandidateType}/${atAlice.value.remoteCandidateType}`,
        callee: `${atBob.value.localCandidateType}/${atBob.value.remoteCandidateType}`,
      },
      pressTimes: call.fromPage && answer.fromPage ? 'page' : 'script',
    };
  } finally {
    await bounded('close the popup', () => popup.close(), 5000).catch(() => {});
    // Closing the call tabs hangs up; waits until both nodes have no call in progress.
    await closeCallTabs(alice, bob);
  }
}
