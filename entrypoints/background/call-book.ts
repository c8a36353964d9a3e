import type { Verification } from '../../lib/ext/verification';
import type { CallInfo } from '../../lib/protocol/native';
import type { Signal } from '../../lib/protocol/signal';

// What the background knows about calls: the latest CallInfo of each, the tab showing it,
// signals that arrived before the tab was listening, and what we found out about the
// name the peer claims. Pure bookkeeping, no browser APIs.

// Signals for a call whose page is not watching yet (it is still loading). A real
// negotiation needs a few dozen; the cap bounds a misbehaving peer.
const MAX_BUFFERED_SIGNALS = 256;
// Ended calls are kept a while so a late page still learns how its call ended.
const KEEP_ENDED_MS = 30 * 60_000;
const MAX_CALLS = 64;

export interface Change {
  call: CallInfo;
  previous: CallInfo | null;
}

export class CallBook {
  private readonly calls = new Map<string, CallInfo>();
  private readonly tabs = new Map<string, number>();
  private readonly signals = new Map<string, Signal[]>();
  // Calls the user answered from the notification, before their page was listening.
  private readonly answerNow = new Set<string>();
  private readonly verifications = new Map<string, Verification>();

  get(callId: string): CallInfo | null {
    return this.calls.get(callId) ?? null;
  }

  // Records a CallInfo. An ended call stays ended: a late or replayed update for it is
  // dropped (returns null), as is an update identical to what we have.
  update(call: CallInfo): Change | null {
    const previous = this.calls.get(call.callId) ?? null;
    if (previous?.state === 'ended') return null;
    if (previous && sameCall(previous, call)) return null;
    this.calls.set(call.callId, call);
    return { call, previous };
  }

  // After a (re)connect: the node's list is the truth. A call we thought was live that the
  // node no longer lists ended while we were not looking.
  resync(list: CallInfo[], now: number): Change[] {
    const changes: Change[] = [];
    const listed = new Set(list.map((c) => c.callId));
    for (const call of list) {
      const change = this.update(call);
      if (change) changes.push(change);
    }
    for (const previous of this.calls.values()) {
      if (listed.has(previous.callId) || previous.state === 'ended') continue;
      const ended: CallInfo = {
        ...previous,
        state: 'ended',
        reason: 'failed',
        detail: 'the Copybara node lost track of this call',
        endedAt: now,
      };
      this.calls.set(previous.callId, ended);
      changes.push({ call: ended, previous });
    }
    return changes;
  }

  setVerification(callId: string, verification: Verification): void {
    this.verifications.set(callId, verification);
  }

  verification(callId: string): Verification | null {
    return this.verifications.get(callId) ?? null;
  }

  // A call whose caller's name is still being checked: it does not ring, and the popup
  // does not list it yet.
  held(callId: string): boolean {
    return this.verifications.get(callId)?.status === 'checking';
  }

  live(): CallInfo[] {
    return [...this.calls.values()].filter((c) => c.state !== 'ended').sort((a, b) => a.createdAt - b.createdAt);
  }

  setTab(callId: string, tabId: number): void {
    this.tabs.set(callId, tabId);
  }

  tab(callId: string): number | null {
    return this.tabs.get(callId) ?? null;
  }

  callForTab(tabId: number): string | null {
    for (const [callId, t] of this.tabs) if (t === tabId) return callId;
    return null;
  }

  forgetTab(tabId: number): void {
    for (const [callId, t] of this.tabs) if (t === tabId) this.tabs.delete(callId);
  }

  bufferSignal(callId: string, signal: Signal): void {
    const list = this.signals.get(callId) ?? [];
    if (list.length >= MAX_BUFFERED_SIGNALS) return;
    list.push(signal);
    this.signals.set(callId, list);
  }

  takeSignals(callId: string): Signal[] {
    const list = this.signals.get(callId) ?? [];
    this.signals.delete(callId);
    return list;
  }

  requestAnswer(callId: string): void {
    this.answerNow.add(callId);
  }

  takeAnswerRequest(callId: string): boolean {
    return this.answerNow.delete(callId);
  }

  // Drops ended calls older than KEEP_ENDED_MS, and the oldest ended ones beyond MAX_CALLS.
  prune(now: number): void {
    const ended = [...this.calls.values()].filter((c) => c.state === 'ended').sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0));
    let excess = this.calls.size - MAX_CALLS;
    for (const c of ended) {
      if (excess <= 0 && now - (c.endedAt ?? now) < KEEP_ENDED_MS) continue;
      this.forget(c.callId);
      excess--;
    }
  }

  private forget(callId: string): void {
    this.calls.delete(callId);
    this.tabs.delete(callId);
    this.signals.delete(callId);
    this.answerNow.delete(callId);
    this.verifications.delete(callId);
  }
}

function sameCall(a: CallInfo, b: CallInfo): boolean {
  return (
    a.state === b.state &&
    a.reason === b.reason &&
    a.detail === b.detail &&
    a.peerName === b.peerName &&
    a.safetyCode === b.safetyCode &&
    a.answeredAt === b.answeredAt &&
    a.endedAt === b.endedAt
  );
}
