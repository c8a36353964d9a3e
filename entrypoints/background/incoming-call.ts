import type { ErrorInfo } from '../../lib/errors';
import { toErrorInfo } from '../../lib/errors';
import type { Settings } from '../../lib/ext/settings';
import { type CallerOutcome, type CheckResult, type Verification, callerOutcome } from '../../lib/ext/verification';
import type { CallInfo } from '../../lib/protocol/native';
import type { CallBook, Change } from './call-book';
import { warnFailed } from './log';

// Why did it ring (or not)? Every CallInfo the node reports goes through here: whether it
// rings, waits for the name its caller claims to be checked, is declined without ringing,
// is handed to the tab that waited for our link, or is hung up because nobody looks at it.
// The decisions are the pure functions below; createIncomingCalls only carries them out.

// ---- Decisions ----

export interface ChangePlan {
  // Our own call link was answered: hand the call to the tab waiting for it; with no such
  // tab (the worker restarted) it gets a tab of its own. One made for its caller arrives
  // active; one for anyone arrives incoming, for the maker to confirm who answered.
  linkArrived: boolean;
  // A name the caller claims, to check now. A claimed name rings only once checked, so the
  // call is held back (not rung, not in the popup) until then.
  check: string | null;
  // Ring now: open or focus the call tab and show the notification.
  ring: boolean;
  // The call stopped ringing (answered, declined, ended): take the notification down.
  clearNotice: boolean;
  // The call ended: the book may drop calls that ended long ago.
  prune: boolean;
}

// What one change of a call means. `known`: what we already know of the peer's name (a
// check under way or done, or the name we dialled): a name is checked once per call.
export function planChange(change: Change, known: Verification | null): ChangePlan {
  const { call, previous } = change;
  const wasIncoming = previous?.state === 'incoming';
  const claim = call.peerName !== null && known === null ? call.peerName : null;
  const linkArrived = call.viaLink && previous === null && call.state !== 'ended';
  const startsRinging = call.state === 'incoming' && !wasIncoming;
  return {
    linkArrived,
    check: linkArrived || startsRinging ? claim : null,
    // A link's call waiting for the maker's confirmation rings like any call: a claimed
    // name only once checked, so the maker never confirms on an unchecked claim's word.
    ring: startsRinging && claim === null,
    clearNotice: wasIncoming && call.state !== 'incoming',
    prune: call.state === 'ended',
  };
}

// How the check of a claimed name went: the resolver's answer (with the settings it is
// judged by), or a failure to even ask (the settings could not be read).
export type CheckAttempt =
  { ok: true; result: CheckResult; settings: Pick<Settings, 'allowMismatchedNames'> } | { ok: false; error: ErrorInfo };

export type CallerVerdict =
  // Ring, showing the verification: a verified name, a claim that could not be checked
  // (the node id, and why), or a mismatch in red when the settings let those ring.
  | { action: 'ring'; verification: Verification }
  // The name is not the caller's: turn the call away without disturbing anyone.
  | { action: 'decline'; verification: Verification }
  // The call is gone or no longer ringing (the caller gave up while we checked): just
  // record what we found, for the pages that still show it.
  | { action: 'record'; verification: Verification };

// After the check: `caller` is the call as it was when the check started (its key and
// claim), `current` what the book holds now (null: forgotten meanwhile).
export function callerVerdict(
  caller: Pick<CallInfo, 'peer' | 'peerName'>,
  attempt: CheckAttempt,
  current: Pick<CallInfo, 'state'> | null,
): CallerVerdict {
  const outcome: CallerOutcome = attempt.ok
    ? callerOutcome(caller, attempt.result, attempt.settings)
    : // No answer at all is no proof of a lie: ring, saying why the claim is unchecked.
      { verification: { status: 'unverifiable', name: caller.peerName ?? '', error: attempt.error }, ring: true };
  const { verification } = outcome;
  if (current?.state !== 'incoming') return { action: 'record', verification };
  return { action: outcome.ring ? 'ring' : 'decline', verification };
}

// Whether a new ring may take over the tab and notification of the last call that rang:
// the same caller ringing again (one ringing surface per caller), or any caller once that
// call ended unanswered. So a flood of rings, from one key or many, never opens more than
// one tab; a call that was answered keeps its tab.
export function reusesSurface(
  next: Pick<CallInfo, 'callId' | 'peer'>,
  last: Pick<CallInfo, 'callId' | 'peer' | 'state' | 'answeredAt'> | null,
): boolean {
  if (!last || last.callId === next.callId || last.answeredAt !== null) return false;
  return last.peer === next.peer || last.state === 'ended';
}

// A call nobody is looking at any more (its tab closed) is hung up, unless it is over, a
// hang-up is already on its way, or another page of ours still shows it.
// How long a call page's port may be gone before its call counts as orphaned: a tab that moves
// from one of our pages to another (a link's preview becoming the call tab) closes the old
// page's port before the new page connects, and must not hang its call up in between. A tab
// that closes is known at once (onTabRemoved) and hangs up without waiting.
export const ORPHAN_GRACE_MS = 1500;

export function isOrphan(call: Pick<CallInfo, 'state'> | null, facts: { hangingUp: boolean; watchers: number }): boolean {
  return call !== null && call.state !== 'ended' && !facts.hangingUp && facts.watchers === 0;
}

// ---- Applying them ----

export interface IncomingDeps {
  book: CallBook;
  // Tell the pages showing the call, and the popups, what changed.
  pushCall(call: CallInfo): void;
  pushView(): void;
  showCallTab(callId: string, known: number | null): Promise<number>;
  // Points an open tab of ours at another page (here: the next ringing call's).
  replaceTab(tabId: number, path: string): Promise<void>;
  showsOurPage(tabId: number): Promise<boolean>;
  showIncoming(call: CallInfo, verification: Verification | null): Promise<void>;
  clearIncoming(callId: string): Promise<void>;
  // Never throws (entrypoints/background/names.ts bounds it in time).
  checkName(name: string): Promise<CheckResult>;
  settings(): Promise<Settings>;
  decline(callId: string): Promise<CallInfo>;
  hangup(callId: string): Promise<CallInfo>;
  // The link flow takes a call a waiting tab of ours expected; false when none did.
  linkArrived(call: CallInfo): boolean;
  watchers(callId: string): number;
  now(): number;
}

export function createIncomingCalls(deps: IncomingDeps) {
  const { book } = deps;
  const hangingUp = new Set<string>();
  // The call whose tab and notification were shown last for a ring.
  let lastRang: string | null = null;
  // Calls whose tab is being opened: a call rings twice when its name check ends before
  // that tab is known (a link's call, then its checked name), and must still get one tab.
  const opening = new Map<string, Promise<void>>();

  function openTab(callId: string): Promise<void> {
    const pending = opening.get(callId);
    if (pending) return pending;
    const opened = deps
      .showCallTab(callId, book.tab(callId))
      .then((tabId) => book.setTab(callId, tabId))
      .finally(() => opening.delete(callId));
    opening.set(callId, opened);
    return opened;
  }

  function apply(change: Change | null): void {
    if (!change) return;
    const { call } = change;
    const plan = planChange(change, book.verification(call.callId));
    deps.pushCall(call);
    deps.pushView();
    if (plan.linkArrived && !deps.linkArrived(call) && !plan.ring) ring(call, false);
    if (plan.check !== null) void checkCaller(call, plan.check);
    if (plan.ring) ring(call);
    if (plan.clearNotice) deps.clearIncoming(call.callId).catch(warnFailed('clearing the notification'));
    if (plan.prune) book.prune(deps.now());
  }

  function ring(call: CallInfo, notify = true): void {
    const last = lastRang;
    lastRang = call.callId;
    const lastTab = last === null ? null : book.tab(last);
    const reuse = last !== null && lastTab !== null && book.tab(call.callId) === null && reusesSurface(call, book.get(last));
    const open = () => openTab(call.callId);
    if (!reuse) {
      open().catch(warnFailed('opening the call tab'));
    } else {
      deps.clearIncoming(last).catch(warnFailed('clearing the notification'));
      // Only a tab that still shows our page: the person may have gone elsewhere in it.
      deps
        .showsOurPage(lastTab)
        .then(async (ours) => {
          if (!ours) return open();
          book.forgetTab(lastTab);
          book.setTab(call.callId, lastTab);
          await deps.replaceTab(lastTab, `call.html?call=${call.callId}`);
        })
        .catch(warnFailed('opening the call tab'));
    }
    if (notify) deps.showIncoming(call, book.verification(call.callId)).catch(warnFailed('showing the notification'));
  }

  async function checkCaller(call: CallInfo, claimed: string): Promise<void> {
    const { callId } = call;
    // Synchronously, before the first await: the same call reported again meanwhile must
    // see that its name is being checked, not start a second check (or ring).
    book.setVerification(callId, { status: 'checking', name: claimed });
    let attempt: CheckAttempt;
    try {
      attempt = { ok: true, result: await deps.checkName(claimed), settings: await deps.settings() };
    } catch (err) {
      attempt = { ok: false, error: toErrorInfo(err) };
    }
    const current = book.get(callId);
    const verdict = callerVerdict({ peer: call.peer, peerName: claimed }, attempt, current);
    book.setVerification(callId, verdict.verification);
    if (!current) return;
    deps.pushCall(current);
    deps.pushView();
    if (verdict.action === 'ring') ring(current);
    else if (verdict.action === 'decline')
      deps.decline(callId).then(applyCall).catch(warnFailed('declining a caller whose name is not theirs'));
  }

  // Records a CallInfo the node sent in reply to a request; the book's view of it.
  function applyCall(call: CallInfo): CallInfo {
    apply(book.update(call));
    return book.get(call.callId) ?? call;
  }

  function hangupOrphan(callId: string): void {
    if (!isOrphan(book.get(callId), { hangingUp: hangingUp.has(callId), watchers: deps.watchers(callId) })) return;
    hangingUp.add(callId);
    deps
      .hangup(callId)
      .then(applyCall)
      .catch(warnFailed('hanging up a closed call tab'))
      .finally(() => hangingUp.delete(callId));
  }

  // A page's port closed: the call is hung up if, after the grace period, no page shows it.
  function hangupOrphanSoon(callId: string): void {
    setTimeout(() => hangupOrphan(callId), ORPHAN_GRACE_MS);
  }

  return { apply, applyCall, hangupOrphan, hangupOrphanSoon };
}

export type IncomingCalls = ReturnType<typeof createIncomingCalls>;
