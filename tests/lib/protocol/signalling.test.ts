import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopybaraError } from '../../../lib/errors';
import { type SignallingMessage, decodeSignalling, encodeSignalling } from '../../../lib/protocol/signalling';

const callId = 'ab'.repeat(16);

const valid: SignallingMessage[] = [
  { type: 'ring', callId, name: null, video: true, invitation: null },
  { type: 'ring', callId, name: 'alice.azero', video: false, invitation: '0123456789abcdef' },
  { type: 'refuse', callId, reason: 'link-used' },
  { type: 'ringing', callId },
  { type: 'accept', callId },
  { type: 'decline', callId },
  { type: 'busy', callId },
  { type: 'signal', callId, signal: { kind: 'offer', sdp: 'v=0\r\n' } },
  {
    type: 'signal',
    callId,
    signal: {
      kind: 'candidate',
      candidate: 'candidate:1 1 udp 1 100.64.0.1 5000 typ relay raddr 0.0.0.0 rport 0',
      sdpMid: '0',
      sdpMLineIndex: 0,
    },
  },
  { type: 'hangup', callId, reason: 'no-answer' },
  { type: 'ping', seq: 7 },
  { type: 'pong', seq: 7 },
];

describe('signalling codec', () => {
  it('round-trips every message type through JSON', () => {
    for (const m of valid) expect(decodeSignalling(JSON.parse(JSON.stringify(encodeSignalling(m))))).toEqual(m);
  });

  it('rejects an unknown version or type with its own code', () => {
    expect(() => decodeSignalling({ v: 2, type: 'ring' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_VERSION' }));
    expect(() => decodeSignalling({ v: 1, type: 'teleport', callId })).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
  });

  it('says which field is wrong', () => {
    expect(() => decodeSignalling({ v: 1, type: 'accept', callId: 'nope' })).toThrow(/"callId" is malformed/);
    expect(() => decodeSignalling({ v: 1, type: 'ring', callId, video: 'yes' })).toThrow(/"video" must be true or false/);
    expect(() => decodeSignalling({ v: 1, type: 'signal', callId, signal: { kind: 'offer', sdp: 'x'.repeat(70_000) } })).toThrow(
      /longer than/,
    );
    expect(() => decodeSignalling({ v: 1, type: 'hangup', callId, reason: 'bored' })).toThrow(/"reason" must be one of/);
    expect(() => decodeSignalling({ v: 1, type: 'ring', callId, video: true, invitation: 'xyz' })).toThrow(/"invitation" is malformed/);
    expect(() => decodeSignalling('hello')).toThrow(/not an object/);
  });

  it('drops fields it does not know', () => {
    expect(decodeSignalling({ v: 1, type: 'accept', callId, extra: 'x' })).toEqual({ type: 'accept', callId });
  });

  it('answers any JSON value with a message or a CopybaraError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            v: fc.constant(1),
            type: fc.constantFrom('ring', 'signal', 'hangup', 'ping'),
            callId: fc.string(),
            signal: fc.jsonValue(),
            seq: fc.jsonValue(),
          }),
        ),
        (value) => {
          try {
            decodeSignalling(value);
          } catch (err) {
            expect(err).toBeInstanceOf(CopybaraError);
          }
        },
      ),
      { numRuns: 20_000 },
    );
  });
});
