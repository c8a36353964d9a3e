import { describe, expect, it } from 'vitest';
import { CopybaraError } from '../../../lib/errors';
import {
  ReplyError,
  decodeCallPageMessage,
  decodeCallPagePush,
  decodeHostState,
  decodePopupPush,
  decodePopupRequest,
  decodeReply,
  errorInfoOf,
  unwrap,
} from '../../../lib/ext/messages';
import { decodeCallInfo } from '../../../lib/protocol/native';
import { ALICE, CALL_ID, callInfo } from './fixtures';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CopybaraError);
    return (err as CopybaraError).code;
  }
  throw new Error('expected a throw');
}

describe('decodePopupRequest', () => {
  it('accepts each request', () => {
    expect(decodePopupRequest({ type: 'view' })).toEqual({ type: 'view' });
    expect(decodePopupRequest({ type: 'retry', extra: 1 })).toEqual({ type: 'retry' });
    expect(decodePopupRequest({ type: 'call', target: ALICE })).toEqual({ type: 'call', target: ALICE });
    expect(decodePopupRequest({ type: 'focus', callId: CALL_ID })).toEqual({ type: 'focus', callId: CALL_ID });
  });

  it.each([
    [null, 'BAD_MESSAGE'],
    ['view', 'BAD_MESSAGE'],
    [[], 'BAD_MESSAGE'],
    [{}, 'UNKNOWN_TYPE'],
    [{ type: 'hangup', callId: CALL_ID }, 'UNKNOWN_TYPE'],
    [{ type: 'call' }, 'BAD_MESSAGE'],
    [{ type: 'call', target: 'x'.repeat(257) }, 'BAD_MESSAGE'],
    [{ type: 'focus', callId: 'ABC' }, 'BAD_MESSAGE'],
  ])('rejects %j with %s', (value, code) => {
    expect(codeOf(() => decodePopupRequest(value))).toBe(code);
  });

  it('says what is wrong', () => {
    expect(() => decodePopupRequest({ type: 'focus', callId: 42 })).toThrow(/field "callId" must be text/);
  });
});

describe('decodeCallPageMessage', () => {
  it('accepts watch and requests', () => {
    expect(decodeCallPageMessage({ type: 'watch', callId: CALL_ID })).toEqual({ type: 'watch', callId: CALL_ID });
    expect(decodeCallPageMessage({ type: 'hangup', id: 3, callId: CALL_ID })).toEqual({ type: 'hangup', id: 3, callId: CALL_ID });
    const signal = { kind: 'candidate', candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ relay', sdpMid: '0', sdpMLineIndex: 0 };
    expect(decodeCallPageMessage({ type: 'signal', id: 4, callId: CALL_ID, signal })).toEqual({
      type: 'signal',
      id: 4,
      callId: CALL_ID,
      signal,
    });
  });

  it.each([
    [{ type: 'watch' }, 'BAD_MESSAGE'],
    [{ type: 'answer', callId: CALL_ID }, 'BAD_MESSAGE'], // no id
    [{ type: 'answer', id: -1, callId: CALL_ID }, 'BAD_MESSAGE'],
    [{ type: 'answer', id: 1.5, callId: CALL_ID }, 'BAD_MESSAGE'],
    [{ type: 'signal', id: 1, callId: CALL_ID, signal: { kind: 'offer' } }, 'BAD_MESSAGE'],
    [{ type: 'signal', id: 1, callId: CALL_ID, signal: { kind: 'bye' } }, 'BAD_MESSAGE'],
    [{ type: 'call', id: 1, callId: CALL_ID }, 'UNKNOWN_TYPE'],
  ])('rejects %j with %s', (value, code) => {
    expect(codeOf(() => decodeCallPageMessage(value))).toBe(code);
  });
});

describe('decodeCallPagePush', () => {
  it('accepts every push', () => {
    const call = callInfo();
    expect(decodeCallPagePush({ type: 'call', call })).toEqual({ type: 'call', call });
    expect(decodeCallPagePush({ type: 'answer-now', callId: CALL_ID })).toEqual({ type: 'answer-now', callId: CALL_ID });
    expect(decodeCallPagePush({ type: 'host', host: { kind: 'ready' } })).toEqual({ type: 'host', host: { kind: 'ready' } });
    expect(decodeCallPagePush({ type: 'reply', id: 7, ok: true, result: { a: 1 } })).toEqual({
      type: 'reply',
      id: 7,
      ok: true,
      result: { a: 1 },
    });
    expect(decodeCallPagePush({ type: 'reply', id: 7, ok: true })).toEqual({ type: 'reply', id: 7, ok: true, result: null });
    expect(decodeCallPagePush({ type: 'gone', callId: CALL_ID, error: { code: 'UNKNOWN_CALL', message: 'no call' } })).toEqual({
      type: 'gone',
      callId: CALL_ID,
      error: { code: 'UNKNOWN_CALL', message: 'no call' },
    });
  });

  it('rejects a call update with a broken CallInfo', () => {
    expect(codeOf(() => decodeCallPagePush({ type: 'call', call: { ...callInfo(), state: 'ringing-ish' } }))).toBe('BAD_MESSAGE');
  });

  it('rejects replies without ok or with a broken error', () => {
    expect(codeOf(() => decodeCallPagePush({ type: 'reply', id: 1 }))).toBe('BAD_MESSAGE');
    expect(codeOf(() => decodeCallPagePush({ type: 'reply', id: 1, ok: false, error: 'boom' }))).toBe('BAD_MESSAGE');
  });
});

describe('decodeHostState', () => {
  it('keeps only the fields of each kind', () => {
    expect(decodeHostState({ kind: 'connecting', detail: 'x' })).toEqual({ kind: 'connecting' });
    expect(decodeHostState({ kind: 'missing', detail: 'not found' })).toEqual({ kind: 'missing', detail: 'not found' });
    expect(decodeHostState({ kind: 'disconnected', detail: 'exited', retryAt: 5 })).toEqual({
      kind: 'disconnected',
      detail: 'exited',
      retryAt: 5,
    });
    expect(decodeHostState({ kind: 'disconnected', detail: 'exited' })).toEqual({ kind: 'disconnected', detail: 'exited', retryAt: null });
  });

  it('rejects unknown kinds', () => {
    expect(() => decodeHostState({ kind: 'sleeping' })).toThrow(/must be one of/);
    expect(() => decodeHostState({ kind: 'missing' })).toThrow(/"detail"/);
  });
});

describe('decodePopupPush', () => {
  it('checks the whole view', () => {
    const view = { host: { kind: 'ready' }, nodeId: ALICE, calls: [callInfo()] };
    expect(decodePopupPush({ type: 'view', view })).toEqual({ type: 'view', view });
    expect(decodePopupPush({ type: 'view', view: { ...view, nodeId: null } }).view.nodeId).toBeNull();
    expect(() => decodePopupPush({ type: 'view', view: { ...view, nodeId: 'abc' } })).toThrow(/"nodeId" is/);
    expect(() => decodePopupPush({ type: 'view', view: { ...view, calls: {} } })).toThrow(/"calls" must be a list/);
  });
});

describe('replies', () => {
  it('unwraps results and turns errors into ReplyError', () => {
    expect(unwrap(decodeReply({ ok: true, result: callInfo() }, decodeCallInfo))).toEqual(callInfo());
    const reply = decodeReply({ ok: false, error: { code: 'UNREACHABLE', message: 'no route' } }, decodeCallInfo);
    expect(() => unwrap(reply)).toThrow(ReplyError);
    try {
      unwrap(reply);
    } catch (err) {
      expect(errorInfoOf(err)).toEqual({ code: 'UNREACHABLE', message: 'no route' });
    }
  });

  it('checks the result with the given decoder', () => {
    expect(() => decodeReply({ ok: true, result: { callId: 'x' } }, decodeCallInfo)).toThrow(CopybaraError);
  });

  it('errorInfoOf keeps codes and wraps anything else as INTERNAL', () => {
    expect(errorInfoOf(CopybaraError.TIMEOUT('slow'))).toEqual({ code: 'TIMEOUT', message: 'slow' });
    expect(errorInfoOf(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(errorInfoOf('text')).toEqual({ code: 'INTERNAL', message: 'text' });
  });
});
