import { describe, expect, it } from 'vitest';
import { CopybaraError, toErrorInfo } from '../../../lib/errors';
import {
  ReplyError,
  decodeCallPageMessage,
  decodeCallPagePush,
  decodeHostState,
  decodePopupPush,
  decodePopupRequest,
  decodeReply,
  decodeResolution,
  decodeVerification,
  unwrap,
} from '../../../lib/ext/messages';
import { ResolveError } from '../../../lib/names/errors';
import { decodeCallInfo } from '../../../lib/protocol/native';
import { ALICE, CALL_ID, callInfo } from '../../../testkit/ext/fixtures';

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
    expect(decodePopupRequest({ type: 'call', target: ALICE, name: 'alice.azero' })).toEqual({
      type: 'call',
      target: ALICE,
      name: 'alice.azero',
    });
    expect(decodePopupRequest({ type: 'call', target: ALICE, name: null })).toEqual({ type: 'call', target: ALICE });
    expect(decodePopupRequest({ type: 'resolve', name: 'bob.azero', requestId: 'k2x9' })).toEqual({
      type: 'resolve',
      name: 'bob.azero',
      requestId: 'k2x9',
    });
    expect(decodePopupRequest({ type: 'cancel', requestId: 'k2x9' })).toEqual({ type: 'cancel', requestId: 'k2x9' });
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
    [{ type: 'call', target: ALICE, name: 7 }, 'BAD_MESSAGE'],
    [{ type: 'resolve', name: 'bob.azero' }, 'BAD_MESSAGE'],
    [{ type: 'resolve', requestId: 'a' }, 'BAD_MESSAGE'],
    [{ type: 'resolve', name: 'b'.repeat(257), requestId: 'a' }, 'BAD_MESSAGE'],
    [{ type: 'resolve', name: 'bob.azero', requestId: 'A-1' }, 'BAD_MESSAGE'],
    [{ type: 'cancel', requestId: '' }, 'BAD_MESSAGE'],
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
    expect(decodeCallPagePush({ type: 'call', call })).toEqual({ type: 'call', call, verification: null });
    const verification = { status: 'verified', name: 'bob.azero', verifiedAt: 5, fromCache: true };
    expect(decodeCallPagePush({ type: 'call', call, verification })).toEqual({ type: 'call', call, verification });
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
    const view = { host: { kind: 'ready' }, nodeId: ALICE, calls: [{ call: callInfo(), verification: null }] };
    expect(decodePopupPush({ type: 'view', view })).toEqual({ type: 'view', view: { ...view, network: null } });
    expect(() => decodePopupPush({ type: 'view', view: { ...view, calls: [callInfo()] } })).toThrow(/call is not an object/);
    expect(decodePopupPush({ type: 'view', view: { ...view, nodeId: null } }).view.nodeId).toBeNull();
    expect(() => decodePopupPush({ type: 'view', view: { ...view, nodeId: 'abc' } })).toThrow(/"nodeId" is/);
    expect(() => decodePopupPush({ type: 'view', view: { ...view, calls: {} } })).toThrow(/"calls" must be a list/);
    expect(decodePopupPush({ type: 'view', view }).view.network).toBeNull();
    const offline = { ...view, network: { kind: 'offline' } };
    expect(decodePopupPush({ type: 'view', view: offline })).toEqual({ type: 'view', view: offline });
    expect(() => decodePopupPush({ type: 'view', view: { ...view, network: { kind: 'online', relays: -2 } } })).toThrow(/"relays"/);
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
      expect(toErrorInfo(err)).toEqual({ code: 'UNREACHABLE', message: 'no route' });
    }
  });

  it('checks the result with the given decoder', () => {
    expect(() => decodeReply({ ok: true, result: { callId: 'x' } }, decodeCallInfo)).toThrow(CopybaraError);
  });

  it('toErrorInfo keeps codes and wraps anything else as INTERNAL', () => {
    expect(toErrorInfo(CopybaraError.TIMEOUT('slow'))).toEqual({ code: 'TIMEOUT', message: 'slow' });
    expect(toErrorInfo(ResolveError.notRegistered('bob.azero'))).toEqual({
      code: 'NAME_NOT_REGISTERED',
      message: 'bob.azero is not registered (or has expired)',
    });
    expect(toErrorInfo(Object.assign(new Error('x'), { code: 'NOT_A_CODE' }))).toEqual({ code: 'INTERNAL', message: 'x' });
    expect(toErrorInfo(new Error('boom'))).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(toErrorInfo('text')).toEqual({ code: 'INTERNAL', message: 'text' });
  });
});

describe('decodeVerification', () => {
  it('accepts each outcome, and nothing for none', () => {
    expect(decodeVerification(null)).toBeNull();
    expect(decodeVerification(undefined)).toBeNull();
    for (const v of [
      { status: 'checking', name: 'alice.azero' },
      { status: 'verified', name: 'alice.azero', verifiedAt: 1, fromCache: false },
      { status: 'mismatch', name: 'alice.azero', reason: 'not-registered' },
      { status: 'unverifiable', name: 'alice.azero', error: { code: 'CHAIN_UNREACHABLE', message: 'no answer' } },
    ]) {
      expect(decodeVerification(v)).toEqual(v);
    }
  });

  it.each([
    ['text', /verification is not an object/],
    [{ status: 'trusted', name: 'a.azero' }, /"status" must be one of/],
    [{ status: 'checking' }, /"name" must be text/],
    [{ status: 'checking', name: 'a'.repeat(257) }, /"name" is longer than 256/],
    [{ status: 'verified', name: 'a.azero', verifiedAt: -1, fromCache: false }, /"verifiedAt" must be a whole number/],
    [{ status: 'verified', name: 'a.azero', verifiedAt: 1, fromCache: 'no' }, /"fromCache" must be true or false/],
    [{ status: 'mismatch', name: 'a.azero', reason: 'evil' }, /"reason" must be one of/],
    [{ status: 'unverifiable', name: 'a.azero' }, /error is not an object/],
  ])('rejects %j clearly', (value, message) => {
    expect(() => decodeVerification(value)).toThrow(message);
  });
});

describe('decodeResolution', () => {
  const good = {
    name: { label: 'bob', tld: 'azero', chain: 'azero', full: 'bob.azero' },
    records: { nodeId: ALICE, staexId: null },
    verifiedAt: 1_700_000_000_000,
    fromCache: false,
  };

  it('accepts a resolution, with or without its source', () => {
    expect(decodeResolution(good)).toEqual(good);
    const stale = { ...good, fromCache: true, source: 'stale-cache', staleReason: 'no answer' };
    expect(decodeResolution(stale)).toEqual(stale);
    expect(decodeResolution({ ...good, records: { nodeId: null } })).toEqual({ ...good, records: { nodeId: null, staexId: null } });
  });

  it.each([
    [{ ...good, name: 'bob.azero' }, /name is not an object/],
    [{ ...good, name: { ...good.name, chain: 'dot' } }, /"chain" must be one of/],
    [{ ...good, records: { nodeId: 'not-an-id' } }, /"nodeId" is malformed/],
    [{ ...good, verifiedAt: 'yesterday' }, /"verifiedAt"/],
    [{ ...good, fromCache: undefined }, /"fromCache" must be true or false/],
    [{ ...good, source: 'guess' }, /"source" must be one of/],
  ])('rejects %j clearly', (value, message) => {
    expect(() => decodeResolution(value)).toThrow(message);
  });
});
