import { describe, expect, it, vi } from 'vitest';
import type { ErrorInfo } from '../../../lib/errors';
import { CallBook } from '../../../entrypoints/background/call-book';
import {
  type CheckAttempt,
  ORPHAN_GRACE_MS,
  callerVerdict,
  createIncomingCalls,
  isOrphan,
  planChange,
} from '../../../entrypoints/background/incoming-call';
import type { CheckResult, Verification } from '../../../lib/ext/verification';
import { defaultSettings } from '../../../lib/ext/settings';
import type { CallInfo } from '../../../lib/protocol/native';
import { resolution } from '../../../testkit/ext/fakes';
import { BOB, CALL_ID, callInfo } from '../../../testkit/ext/fixtures';

// Why a call rang or did not (entrypoints/background/incoming-call.ts): the pure decisions
// branch by branch, then the thin part that carries them out, over a real call book.

const CAROL = 'c'.repeat(52);
const incoming = (over: Partial<CallInfo> = {}) => callInfo({ direction: 'incoming', state: 'incoming', ...over });
const NONE = { linkArrived: false, check: null, ring: false, clearNotice: false, prune: false };
const CHECKING: Verification = { status: 'checking', name: 'bob.azero' };
const VERIFIED: Verification = { status: 'verified', name: 'bob.azero', verifiedAt: 1_700_000_000_000, fromCache: false };

describe('what a change of a call means', () => {
  it('a new incoming call without a claimed name rings at once', () => {
    expect(planChange({ call: incoming(), previous: null }, null)).toEqual({ ...NONE, ring: true });
  });

  it('a new incoming call claiming a name is checked first, not rung', () => {
    expect(planChange({ call: incoming({ peerName: 'bob.azero' }), previous: null }, null)).toEqual({ ...NONE, check: 'bob.azero' });
  });

  it('a claim already checked (or being checked) is not checked again; the call rings', () => {
    expect(planChange({ call: incoming({ peerName: 'bob.azero' }), previous: null }, CHECKING)).toEqual({ ...NONE, ring: true });
    expect(planChange({ call: incoming({ peerName: 'bob.azero' }), previous: null }, VERIFIED)).toEqual({ ...NONE, ring: true });
  });

  it('a call that was ringing already does not ring again', () => {
    expect(planChange({ call: incoming(), previous: incoming() }, null)).toEqual(NONE);
    expect(planChange({ call: incoming({ peerName: 'bob.azero' }), previous: incoming({ peerName: 'bob.azero' }) }, CHECKING)).toEqual(
      NONE,
    );
  });

  it('a call that stops ringing takes its notification down', () => {
    expect(planChange({ call: incoming({ state: 'active' }), previous: incoming() }, null)).toEqual({ ...NONE, clearNotice: true });
    expect(planChange({ call: incoming({ state: 'ended', reason: 'missed', endedAt: 5 }), previous: incoming() }, null)).toEqual({
      ...NONE,
      clearNotice: true,
      prune: true,
    });
  });

  it('an ended call lets the book prune; other changes of outgoing calls do nothing', () => {
    expect(planChange({ call: callInfo({ state: 'ended', reason: 'remote-hangup', endedAt: 5 }), previous: callInfo() }, null)).toEqual({
      ...NONE,
      prune: true,
    });
    expect(planChange({ call: callInfo({ state: 'ringing' }), previous: callInfo() }, null)).toEqual(NONE);
    expect(planChange({ call: callInfo({ peerName: 'bob.azero' }), previous: null }, null)).toEqual(NONE);
  });

  it('our own link, answered: handed to the waiting tab, its claim checked, not rung', () => {
    const viaLink = (over: Partial<CallInfo> = {}) =>
      callInfo({ direction: 'incoming', state: 'active', viaLink: true, invitation: 'aa', ...over });
    expect(planChange({ call: viaLink(), previous: null }, null)).toEqual({ ...NONE, linkArrived: true });
    expect(planChange({ call: viaLink({ peerName: 'bob.azero' }), previous: null }, null)).toEqual({
      ...NONE,
      linkArrived: true,
      check: 'bob.azero',
    });
    expect(planChange({ call: viaLink({ peerName: 'bob.azero' }), previous: null }, VERIFIED)).toEqual({ ...NONE, linkArrived: true });
    // Only when it first arrives, and not once it is over.
    expect(planChange({ call: viaLink({ state: 'ended', reason: 'remote-hangup', endedAt: 5 }), previous: null }, null)).toEqual({
      ...NONE,
      prune: true,
    });
    expect(planChange({ call: viaLink({ peerName: 'bob.azero' }), previous: viaLink({ peerName: 'bob.azero' }) }, null)).toEqual(NONE);
  });

  it('a link for anyone arrives incoming: handed to the waiting tab and rung, a claimed name only once checked', () => {
    const call = incoming({ viaLink: true, invitation: 'aa' });
    expect(planChange({ call, previous: null }, null)).toEqual({ ...NONE, linkArrived: true, ring: true });
    expect(planChange({ call: { ...call, peerName: 'bob.azero' }, previous: null }, null)).toEqual({
      ...NONE,
      linkArrived: true,
      check: 'bob.azero',
    });
  });
});

describe('the verdict on a claimed name', () => {
  const caller = { peer: BOB, peerName: 'bob.azero' };
  const checked = (result: CheckResult, allowMismatchedNames = false): CheckAttempt => ({
    ok: true,
    result,
    settings: { allowMismatchedNames },
  });
  const ringing = { state: 'incoming' as const };

  it('rings with the verified name when it points to the caller', () => {
    expect(callerVerdict(caller, checked({ ok: true, resolution: resolution('bob.azero', BOB) }), ringing)).toEqual({
      action: 'ring',
      verification: VERIFIED,
    });
  });

  it('declines without ringing when the name belongs to another node, or to nobody', () => {
    expect(callerVerdict(caller, checked({ ok: true, resolution: resolution('bob.azero', CAROL) }), ringing)).toEqual({
      action: 'decline',
      verification: { status: 'mismatch', name: 'bob.azero', reason: 'other-node' },
    });
    const nobody = checked({ ok: false, error: { code: 'NAME_NOT_REGISTERED', message: 'not registered' } });
    expect(callerVerdict(caller, nobody, ringing)).toEqual({
      action: 'decline',
      verification: { status: 'mismatch', name: 'bob.azero', reason: 'not-registered' },
    });
  });

  it('rings with the mismatch (the red warning) when the settings allow it', () => {
    expect(callerVerdict(caller, checked({ ok: true, resolution: resolution('bob.azero', CAROL) }, true), ringing)).toEqual({
      action: 'ring',
      verification: { status: 'mismatch', name: 'bob.azero', reason: 'other-node' },
    });
  });

  it('rings as unverifiable when the chain gave no answer, or the check could not even start', () => {
    const unreachable: ErrorInfo = { code: 'CHAIN_UNREACHABLE', message: 'timeout' };
    expect(callerVerdict(caller, checked({ ok: false, error: unreachable }), ringing)).toEqual({
      action: 'ring',
      verification: { status: 'unverifiable', name: 'bob.azero', error: unreachable },
    });
    const broken: ErrorInfo = { code: 'INTERNAL', message: 'settings unreadable' };
    expect(callerVerdict(caller, { ok: false, error: broken }, ringing)).toEqual({
      action: 'ring',
      verification: { status: 'unverifiable', name: 'bob.azero', error: broken },
    });
  });

  it('only records what it found when the caller gave up meanwhile, or the call is forgotten', () => {
    const verified = checked({ ok: true, resolution: resolution('bob.azero', BOB) });
    const lie = checked({ ok: true, resolution: resolution('bob.azero', CAROL) });
    expect(callerVerdict(caller, verified, { state: 'ended' })).toEqual({ action: 'record', verification: VERIFIED });
    expect(callerVerdict(caller, lie, { state: 'active' })).toMatchObject({ action: 'record', verification: { status: 'mismatch' } });
    expect(callerVerdict(caller, verified, null)).toEqual({ action: 'record', verification: VERIFIED });
  });
});

describe('orphans', () => {
  it('a live call nobody shows is hung up, once', () => {
    expect(isOrphan({ state: 'active' }, { hangingUp: false, watchers: 0 })).toBe(true);
    expect(isOrphan({ state: 'incoming' }, { hangingUp: false, watchers: 0 })).toBe(true);
    expect(isOrphan({ state: 'active' }, { hangingUp: true, watchers: 0 })).toBe(false);
    expect(isOrphan({ state: 'active' }, { hangingUp: false, watchers: 1 })).toBe(false);
    expect(isOrphan({ state: 'ended' }, { hangingUp: false, watchers: 0 })).toBe(false);
    expect(isOrphan(null, { hangingUp: false, watchers: 0 })).toBe(false);
  });
});

describe('carrying the decisions out', () => {
  function setup(check: (name: string) => Promise<CheckResult> = async () => ({ ok: true, resolution: resolution('bob.azero', BOB) })) {
    const book = new CallBook();
    const deps = {
      book,
      pushCall: vi.fn(),
      pushView: vi.fn(),
      showCallTab: vi.fn(async (_callId: string, known: number | null) => known ?? 7),
      replaceTab: vi.fn(async (_tabId: number, _path: string) => {}),
      showsOurPage: vi.fn(async (_tabId: number) => true),
      showIncoming: vi.fn(async () => {}),
      clearIncoming: vi.fn(async () => {}),
      checkName: vi.fn(check),
      settings: async () => defaultSettings(),
      decline: vi.fn(async (callId: string) => incoming({ callId, state: 'ended', reason: 'declined', endedAt: 1_700_000_000_000 })),
      hangup: vi.fn(async (callId: string) => callInfo({ callId, state: 'ended', reason: 'hangup', endedAt: 1_700_000_000_000 })),
      linkArrived: vi.fn((_call: CallInfo) => false),
      watchers: vi.fn((_callId: string) => 0),
      now: () => 1_700_000_000_000,
    };
    return { deps, book, calls: createIncomingCalls(deps) };
  }
  const flush = () => new Promise((r) => setTimeout(r, 0));

  it('rings a checked caller with the verification, after telling the pages', async () => {
    const { deps, calls, book } = setup();
    calls.applyCall(incoming({ peerName: 'bob.azero' }));
    expect(book.verification(CALL_ID)).toEqual({ status: 'checking', name: 'bob.azero' });
    expect(deps.showIncoming).not.toHaveBeenCalled();
    await flush();
    expect(deps.showIncoming).toHaveBeenCalledWith(incoming({ peerName: 'bob.azero' }), VERIFIED);
    expect(deps.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
    expect(book.tab(CALL_ID)).toBe(7);
    expect(deps.pushCall).toHaveBeenCalledTimes(2);
  });

  it('declines a caller whose name is not theirs through the node, and records the decline', async () => {
    const { deps, calls, book } = setup(async () => ({ ok: true, resolution: resolution('bob.azero', CAROL) }));
    calls.applyCall(incoming({ peerName: 'bob.azero' }));
    await flush();
    expect(deps.decline).toHaveBeenCalledWith(CALL_ID);
    expect(deps.showCallTab).not.toHaveBeenCalled();
    expect(book.get(CALL_ID)?.state).toBe('ended');
  });

  it('shows a link call that no tab waited for in a tab of its own, without a notification', () => {
    const { deps, calls } = setup();
    calls.applyCall(callInfo({ direction: 'incoming', state: 'active', viaLink: true, invitation: 'aa' }));
    expect(deps.linkArrived).toHaveBeenCalled();
    expect(deps.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
    expect(deps.showIncoming).not.toHaveBeenCalled();
  });

  it('a link call no tab waited for, rung again once its name is checked, still gets one tab', async () => {
    const { deps, calls, book } = setup();
    // The tab opens slowly: the name check ends first and rings the call a second time.
    let opened: (tabId: number) => void = () => {};
    deps.showCallTab.mockImplementationOnce(() => new Promise<number>((r) => (opened = r)));
    calls.applyCall(incoming({ viaLink: true, invitation: 'aa', peerName: 'bob.azero' }));
    await flush();
    expect(deps.showIncoming).toHaveBeenCalledTimes(1); // the second ring, after the check
    expect(deps.showCallTab).toHaveBeenCalledTimes(1);
    opened(9);
    await flush();
    expect(book.tab(CALL_ID)).toBe(9);
    expect(deps.showCallTab).toHaveBeenCalledTimes(1);
  });

  it('a link call handed to its waiting tab rings, after the check, in that tab', async () => {
    const { deps, calls, book } = setup();
    deps.linkArrived.mockImplementation((call: CallInfo) => {
      book.setTab(call.callId, 11);
      return true;
    });
    calls.applyCall(incoming({ viaLink: true, invitation: 'aa', peerName: 'bob.azero' }));
    await flush();
    expect(deps.showCallTab).toHaveBeenCalledTimes(1);
    expect(deps.showCallTab).toHaveBeenCalledWith(CALL_ID, 11);
    expect(book.tab(CALL_ID)).toBe(11);
  });

  it("waits out a page's move to another page of ours before calling its call an orphan", () => {
    vi.useFakeTimers();
    try {
      const { deps, calls } = setup();
      calls.applyCall(callInfo({ state: 'active' }));
      // The preview's port closed; the call page in the same tab connects within the grace.
      calls.hangupOrphanSoon(CALL_ID);
      deps.watchers.mockReturnValue(1);
      vi.advanceTimersByTime(ORPHAN_GRACE_MS);
      expect(deps.hangup).not.toHaveBeenCalled();
      // Its tab closed for good: nobody shows the call once the grace is over.
      deps.watchers.mockReturnValue(0);
      calls.hangupOrphanSoon(CALL_ID);
      vi.advanceTimersByTime(ORPHAN_GRACE_MS - 1);
      expect(deps.hangup).not.toHaveBeenCalled();
      vi.advanceTimersByTime(1);
      expect(deps.hangup).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('hangs up an orphan once, and not while a page still shows it', async () => {
    const { deps, calls } = setup();
    calls.applyCall(callInfo({ state: 'active' }));
    deps.watchers.mockReturnValueOnce(1);
    calls.hangupOrphan(CALL_ID);
    expect(deps.hangup).not.toHaveBeenCalled();
    calls.hangupOrphan(CALL_ID);
    calls.hangupOrphan(CALL_ID);
    expect(deps.hangup).toHaveBeenCalledTimes(1);
    await flush();
    calls.hangupOrphan(CALL_ID); // ended now
    expect(deps.hangup).toHaveBeenCalledTimes(1);
  });
});
