import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeFrame } from '../../../../native-host/common/framing';
import { encodePreamble, readFirstMessage } from '../../../../native-host/node/network/service-preamble';
import { MAX_SIGNALLING_MESSAGE } from '../../../../lib/protocol/signalling';

describe('the first message of an overlay connection', () => {
  it('names the site service', () => {
    expect(readFirstMessage(encodePreamble('site'))).toEqual({ kind: 'service', service: 'site' });
  });

  it('reads any signalling frame as a call', () => {
    expect(readFirstMessage(encodeFrame({ type: 'ring', callId: 'x' }, MAX_SIGNALLING_MESSAGE))).toEqual({ kind: 'call' });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_SIGNALLING_MESSAGE }), fc.uint8Array({ maxLength: 40 }), (length, rest) => {
        const head = Buffer.alloc(4);
        head.writeUInt32LE(length);
        expect(readFirstMessage(Buffer.concat([head, rest]))).toEqual({ kind: 'call' });
      }),
    );
  });

  it('refuses services it does not know, and overlong preambles', () => {
    const other = Buffer.concat([encodePreamble('site').subarray(0, -4), Buffer.from('mail')]);
    expect(readFirstMessage(other)).toEqual({ kind: 'unknown-service' });
    expect(readFirstMessage(Buffer.concat([encodePreamble('site'), Buffer.alloc(100)]))).toEqual({ kind: 'unknown-service' });
    expect(readFirstMessage(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2]))).toEqual({ kind: 'unknown-service' });
  });
});
