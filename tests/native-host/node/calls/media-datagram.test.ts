import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopybaraError } from '../../../../lib/errors';
import {
  HEADER,
  MAX_DATAGRAM,
  MAX_MEDIA_PAYLOAD,
  type MediaSink,
  decodeMediaDatagram,
  deliverMediaDatagram,
  encodeMediaDatagram,
  mediaSender,
  writeMediaDatagram,
} from '../../../../native-host/node/calls/media-datagram';

// The allocation-light media datagram helpers must agree byte for byte with the original
// encoder and decoder, and fail on exactly the same inputs with the same errors.

interface Delivered {
  username: string;
  from: number;
  to: number;
  data: Buffer;
  headroom: number | undefined;
  /** Whether `data` was a view into the datagram (no copy). */
  sameMemory: boolean;
}

function recordingSink(datagram: () => Uint8Array): MediaSink & { got: Delivered[] } {
  const got: Delivered[] = [];
  return {
    got,
    deliver(username, from, to, data, headroom) {
      got.push({ username, from, to, data: Buffer.from(data), headroom, sameMemory: data.buffer === datagram().buffer });
      return true;
    },
  };
}

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof CopybaraError) return err.code;
    throw err;
  }
  return 'no error';
};

describe('media datagram, allocation-light helpers', () => {
  it('writeMediaDatagram writes what encodeMediaDatagram returns', () => {
    const payload = randomBytes(1100);
    const out = Buffer.alloc(MAX_DATAGRAM, 0xee);
    const n = writeMediaDatagram(out, 49153, 60001, payload);
    expect(n).toBe(HEADER + 1100);
    expect(out.subarray(0, n)).toEqual(encodeMediaDatagram(49153, 60001, payload));
    expect(out[n]).toBe(0xee); // nothing written past the datagram
  });

  it('writeMediaDatagram refuses oversize payloads, a short buffer and non-16-bit ports, writing nothing', () => {
    const out = Buffer.alloc(MAX_DATAGRAM, 0xee);
    expect(errorOf(() => writeMediaDatagram(out, 1, 2, new Uint8Array(MAX_MEDIA_PAYLOAD + 1)))).toBe('MESSAGE_TOO_LARGE');
    expect(errorOf(() => writeMediaDatagram(Buffer.alloc(10), 1, 2, new Uint8Array(6)))).toBe('MESSAGE_TOO_LARGE');
    expect(errorOf(() => writeMediaDatagram(out, 70000, 2, new Uint8Array(1)))).toBe('BAD_MESSAGE');
    expect(errorOf(() => writeMediaDatagram(out, 1, -1, new Uint8Array(1)))).toBe('BAD_MESSAGE');
    expect(errorOf(() => writeMediaDatagram(out, 1.5, 2, new Uint8Array(1)))).toBe('BAD_MESSAGE');
    expect(out.every((b) => b === 0xee)).toBe(true);
  });

  it('mediaSender reuses one buffer and hands sendDatagram exactly the encoded datagram', () => {
    const seen: { bytes: Buffer; buffer: ArrayBufferLike }[] = [];
    const send = mediaSender({ sendDatagram: (d) => seen.push({ bytes: Buffer.from(d), buffer: d.buffer }) });
    const a = randomBytes(1200);
    const b = randomBytes(3);
    send(49152, 49153, a);
    send(50000, 50001, b);
    expect(seen[0]!.bytes).toEqual(encodeMediaDatagram(49152, 49153, a));
    expect(seen[1]!.bytes).toEqual(encodeMediaDatagram(50000, 50001, b));
    expect(seen[0]!.buffer).toBe(seen[1]!.buffer); // the same memory both times
    expect(() => send(1, 2, new Uint8Array(MAX_MEDIA_PAYLOAD + 1))).toThrow(/exceeds/);
    expect(seen).toHaveLength(2);
  });

  it('deliverMediaDatagram hands over the ports and a view of the payload, lending the header', () => {
    const payload = randomBytes(900);
    const datagram = encodeMediaDatagram(49152, 65535, payload);
    const sink = recordingSink(() => datagram);
    expect(deliverMediaDatagram(datagram, sink, 'call-user')).toBe(true);
    expect(sink.got).toEqual([{ username: 'call-user', from: 49152, to: 65535, data: payload, headroom: HEADER, sameMemory: true }]);
  });

  it('deliverMediaDatagram throws what decodeMediaDatagram throws and delivers nothing then', () => {
    const bad = [
      new Uint8Array(3),
      Uint8Array.of(9, 0, 1, 0, 1),
      Uint8Array.of(1, 0, 0, 0, 1),
      Uint8Array.of(1, 0, 1, 0, 0),
      new Uint8Array(MAX_DATAGRAM + 1).fill(1),
    ];
    for (const d of bad) {
      const sink = recordingSink(() => d);
      const expected = errorOf(() => decodeMediaDatagram(d));
      expect(expected).not.toBe('no error');
      expect(errorOf(() => deliverMediaDatagram(d, sink, 'u'))).toBe(expected);
      expect(sink.got).toEqual([]);
    }
  });

  it('property: deliverMediaDatagram and decodeMediaDatagram agree on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (raw, media) => {
        const d = Buffer.from(raw);
        if (media && d.length > 0) d[0] = 1; // mostly past the kind check
        const sink = recordingSink(() => d);
        const expected = errorOf(() => decodeMediaDatagram(d));
        expect(errorOf(() => deliverMediaDatagram(d, sink, 'u'))).toBe(expected);
        if (expected === 'no error') {
          const back = decodeMediaDatagram(d);
          expect(sink.got).toEqual([
            { username: 'u', from: back.from, to: back.to, data: Buffer.from(back.payload), headroom: HEADER, sameMemory: true },
          ]);
        } else expect(sink.got).toEqual([]);
      }),
      { numRuns: 2000 },
    );
  });
});
