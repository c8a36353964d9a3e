import { describe, expect, it } from 'vitest';
import { CallBook } from '../../../entrypoints/background/call-book';
import { CALL_ID, callInfo } from '../../../testkit/ext/fixtures';

describe('CallBook', () => {
  it('records changes and drops repeats', () => {
    const book = new CallBook();
    expect(book.update(callInfo())).toEqual({ call: callInfo(), previous: null });
    expect(book.update(callInfo())).toBeNull();
    expect(book.update(callInfo({ state: 'ringing' }))?.previous?.state).toBe('dialing');
  });

  it('keeps an ended call ended', () => {
    const book = new CallBook();
    book.update(callInfo({ state: 'ended', reason: 'declined', endedAt: 10 }));
    expect(book.update(callInfo({ state: 'active' }))).toBeNull();
    expect(book.get(CALL_ID)?.reason).toBe('declined');
    expect(book.live()).toEqual([]);
  });

  it('ends calls the node no longer lists after a re-sync', () => {
    const book = new CallBook();
    book.update(callInfo({ state: 'active' }));
    const other = callInfo({ callId: 'f'.repeat(32), state: 'ringing' });
    const changes = book.resync([other], 99);
    expect(changes.map((c) => [c.call.callId, c.call.state])).toEqual([
      ['f'.repeat(32), 'ringing'],
      [CALL_ID, 'ended'],
    ]);
    expect(book.get(CALL_ID)).toMatchObject({ state: 'ended', reason: 'failed', endedAt: 99 });
  });

  it('buffers a bounded number of signals', () => {
    const book = new CallBook();
    for (let i = 0; i < 300; i++) book.bufferSignal(CALL_ID, { kind: 'offer', sdp: String(i) });
    expect(book.takeSignals(CALL_ID)).toHaveLength(256);
    expect(book.takeSignals(CALL_ID)).toHaveLength(0);
  });

  it('remembers tabs and answer requests', () => {
    const book = new CallBook();
    book.setTab(CALL_ID, 4);
    expect(book.callForTab(4)).toBe(CALL_ID);
    book.forgetTab(4);
    expect(book.tab(CALL_ID)).toBeNull();
    book.requestAnswer(CALL_ID);
    expect(book.takeAnswerRequest(CALL_ID)).toBe(true);
    expect(book.takeAnswerRequest(CALL_ID)).toBe(false);
  });

  it('forgets old ended calls', () => {
    const book = new CallBook();
    book.update(callInfo({ state: 'ended', reason: 'hangup', endedAt: 0 }));
    book.update(callInfo({ callId: 'e'.repeat(32), state: 'ended', reason: 'hangup', endedAt: 40 * 60_000 }));
    book.prune(45 * 60_000);
    expect(book.get(CALL_ID)).toBeNull();
    expect(book.get('e'.repeat(32))).not.toBeNull();
  });
});
