import { afterEach, beforeEach, vi } from 'vitest';
import type { CallInfo, NodeEvent } from '../../lib/protocol/native';
import type { SignallingMessage } from '../../lib/protocol/signalling';
import { CallManager, type CallManagerOptions, DEFAULT_TIMING } from '../../native-host/node/calls/call-manager';
import { FakeBackend, FakeLink, FakeTurn } from './fakes';

// A CallManager with everything around it faked (no network, no TURN socket, a fake clock),
// made anew for each test of the file that calls useFakeManager(). The bindings below are
// live: a test reads the current test's manager, backend and events through them.

export const ME = Buffer.alloc(32, 1);
export const PEER = Buffer.alloc(32, 2);
export const THIRD = Buffer.alloc(32, 3);
export const CALL = 'ab'.repeat(16);
export const T = DEFAULT_TIMING;

export let backend: FakeBackend;
export let turn: FakeTurn;
export let events: NodeEvent[];
export let logs: string[];
export let calls: CallManager;

export function useFakeManager(): void {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    backend = new FakeBackend();
    turn = new FakeTurn();
    events = [];
    logs = [];
    calls = newManager();
  });
  afterEach(() => {
    void calls.close();
    vi.useRealTimers();
  });
}

// Replaces this test's manager by one with `more` options, on the same fakes.
export function remakeManager(more: Partial<CallManagerOptions>): void {
  void calls.close();
  calls = newManager(more);
}

function newManager(more: Partial<CallManagerOptions> = {}): CallManager {
  return new CallManager({ backend, turn, publicKey: ME, emit: (e) => events.push(e), log: (l) => logs.push(l), ...more });
}

// The states one call went through, as the browser was told.
export const states = (callId: string) => events.flatMap((e) => (e.event === 'call' && e.call.callId === callId ? [e.call.state] : []));
export const info = (callId: string): CallInfo => calls.list().find((c) => c.callId === callId)!;
export const ring = (callId = CALL): SignallingMessage => ({ type: 'ring', callId, name: 'alice', video: true, invitation: null });

// A peer that answers our pings, so only what a test does ends its call.
export function lively(link: FakeLink, answer: (m: SignallingMessage) => SignallingMessage | null = () => null): FakeLink {
  link.reply = (m) => (m.type === 'ping' ? { type: 'pong', seq: m.seq } : answer(m));
  return link;
}

// A ring from `key` arriving on a new incoming link.
export function ringHere(key = PEER, callId = CALL): FakeLink {
  const link = lively(new FakeLink(key));
  calls.accept(link);
  link.receive(ring(callId));
  return link;
}
