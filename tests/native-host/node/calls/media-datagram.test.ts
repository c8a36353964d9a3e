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
  writeMediaDatagram,
  MAX_PIECE_PAYLOAD,
  MAX_SPLIT_PAYLOAD,
  PIECE_HEADER,
  decodeMediaPiece,
  sendInPieces,
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

// Sends `payload` in pieces and returns a copy of each datagram handed out.
function pieces(payload: Uint8Array, id = 7, from = 49152, to = 65535): Buffer[] {
  const out: Buffer[] = [];
  sendInPieces(Buffer.alloc(MAX_DATAGRAM), from, to, id, payload, (d) => out.push(Buffer.from(d)));
  return out;
}

describe('media datagram, payloads in pieces', () => {
  it('splits a payload over one datagram into near-equal pieces that decode back to it', () => {
    for (const size of [MAX_MEDIA_PAYLOAD + 1, 1408, MAX_SPLIT_PAYLOAD]) {
      const payload = randomBytes(size);
      const sent = pieces(payload);
      expect(sent).toHaveLength(2);
      for (const d of sent) expect(d.length).toBeLessThanOrEqual(MAX_DATAGRAM);
      const back = sent.map(decodeMediaPiece);
      expect(back.map((p) => [p.from, p.to, p.id, p.index, p.count])).toEqual([
        [49152, 65535, 7, 0, 2],
        [49152, 65535, 7, 1, 2],
      ]);
      expect(Math.abs(back[0]!.payload.length - back[1]!.payload.length)).toBeLessThanOrEqual(1);
      expect(Buffer.concat(back.map((p) => p.payload))).toEqual(payload);
    }
  });

  it('refuses what fits one datagram, what two pieces cannot carry, bad ports and ids, sending nothing', () => {
    const sent: Uint8Array[] = [];
    const send = (payload: Uint8Array, from = 1, to = 2, id = 0, scratch = Buffer.alloc(MAX_DATAGRAM)) =>
      errorOf(() => sendInPieces(scratch, from, to, id, payload, (d) => sent.push(d)));
    expect(send(new Uint8Array(MAX_MEDIA_PAYLOAD))).toBe('BAD_MESSAGE');
    expect(send(new Uint8Array(MAX_SPLIT_PAYLOAD + 1))).toBe('MESSAGE_TOO_LARGE');
    expect(send(new Uint8Array(1400), 70000)).toBe('BAD_MESSAGE');
    expect(send(new Uint8Array(1400), 1, 2, 256)).toBe('BAD_MESSAGE');
    expect(send(new Uint8Array(1400), 1, 2, 0, Buffer.alloc(100))).toBe('MESSAGE_TOO_LARGE');
    expect(sent).toEqual([]);
  });

  it('decodeMediaPiece refuses short, empty, misnumbered and port-0 pieces, and plain media datagrams', () => {
    const good = pieces(randomBytes(1400))[1]!;
    const withByte = (i: number, v: number) => Buffer.from(good).fill(v, i, i + 1);
    expect(errorOf(() => decodeMediaPiece(good.subarray(0, PIECE_HEADER - 1)))).toBe('BAD_MESSAGE');
    expect(errorOf(() => decodeMediaPiece(good.subarray(0, PIECE_HEADER)))).toBe('BAD_MESSAGE');
    expect(errorOf(() => decodeMediaPiece(withByte(6, 0x22)))).toBe('BAD_MESSAGE'); // piece 2 of 2
    expect(errorOf(() => decodeMediaPiece(withByte(6, 0x01)))).toBe('BAD_MESSAGE'); // 1 piece
    expect(errorOf(() => decodeMediaPiece(withByte(6, 0x03)))).toBe('BAD_MESSAGE'); // 3 pieces
    expect(errorOf(() => decodeMediaPiece(withByte(1, 0).fill(0, 2, 3)))).toBe('BAD_MESSAGE');
    expect(errorOf(() => decodeMediaPiece(encodeMediaDatagram(1, 2, randomBytes(10))))).toBe('UNKNOWN_TYPE');
    expect(errorOf(() => decodeMediaPiece(Buffer.concat([good, Buffer.alloc(MAX_PIECE_PAYLOAD)])))).toBe('MESSAGE_TOO_LARGE');
    expect(errorOf(() => decodeMediaDatagram(good))).toBe('UNKNOWN_TYPE');
  });

  it('property: any bytes decode to a checked piece or to a codec error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.boolean(), (raw, piece) => {
        const d = Buffer.from(raw);
        if (piece && d.length > 0) d[0] = 2; // mostly past the kind check
        const code = errorOf(() => decodeMediaPiece(d));
        if (code !== 'no error') {
          expect(['BAD_MESSAGE', 'UNKNOWN_TYPE', 'MESSAGE_TOO_LARGE']).toContain(code);
          return;
        }
        const p = decodeMediaPiece(d);
        expect(p.count).toBe(2);
        expect(p.index).toBeLessThan(p.count);
        expect(p.from * p.to).toBeGreaterThan(0);
        expect(Buffer.from(p.payload)).toEqual(d.subarray(PIECE_HEADER));
        expect(p.payload.length).toBeGreaterThan(0);
      }),
      { numRuns: 2000 },
    );
  });
});
