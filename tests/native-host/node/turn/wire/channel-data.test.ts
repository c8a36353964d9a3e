import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  channelDataEnd,
  decodeChannelData,
  encodeChannelData,
  writeChannelDataHeader,
} from '../../../../../native-host/node/turn/wire/channel-data';
import { codeOf } from '../../../../../testkit/turn/codes';

describe('ChannelData (RFC 5766 §11.4)', () => {
  it('encodes unpadded by default and padded on request', () => {
    const data = Buffer.from('hello');
    const plain = encodeChannelData(0x4001, data);
    expect([...plain.subarray(0, 4)]).toEqual([0x40, 0x01, 0, 5]);
    expect(plain.length).toBe(9);
    const padded = encodeChannelData(0x7fff, data, true);
    expect(padded.length).toBe(12);
    expect([...padded.subarray(9)]).toEqual([0, 0, 0]);
    for (const bytes of [plain, padded]) {
      const view = decodeChannelData(bytes);
      expect(view.data.toString()).toBe('hello');
      expect(view.data.buffer).toBe(bytes.buffer); // a view, not a copy
    }
    expect(decodeChannelData(padded).channel).toBe(0x7fff);
  });

  it('handles empty and 4-aligned payloads', () => {
    expect(encodeChannelData(0x4000, Buffer.alloc(0)).length).toBe(4);
    expect(encodeChannelData(0x4000, Buffer.alloc(8), true).length).toBe(12);
    expect(decodeChannelData(Buffer.from([0x40, 0, 0, 0])).data.length).toBe(0);
  });

  it('rejects bad channel numbers and lengths', () => {
    expect(codeOf(() => decodeChannelData(Buffer.from([0x40, 0, 0])))).toBe('SHORT');
    expect(codeOf(() => decodeChannelData(Buffer.from([0x3f, 0xff, 0, 0])))).toBe('BAD_CHANNEL');
    expect(codeOf(() => decodeChannelData(Buffer.from([0x80, 0x00, 0, 0])))).toBe('BAD_CHANNEL');
    expect(codeOf(() => decodeChannelData(Buffer.from([0x40, 0, 0, 5, 1, 2, 3, 4])))).toBe('BAD_LENGTH');
    // 5 bytes of data pad to 8: up to 3 trailing bytes are padding, a 4th is garbage.
    expect(codeOf(() => decodeChannelData(Buffer.from([0x40, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0])))).toBe('no error');
    expect(codeOf(() => decodeChannelData(Buffer.from([0x40, 0, 0, 5, 1, 2, 3, 4, 5, 0, 0, 0, 0])))).toBe('BAD_LENGTH');
    expect(codeOf(() => encodeChannelData(0x3fff, Buffer.alloc(1)))).toBe('BAD_CHANNEL');
    expect(codeOf(() => encodeChannelData(0x4000, Buffer.alloc(70_000)))).toBe('TOO_LARGE');
  });

  it('channelDataEnd applies the same checks with the same errors, and writeChannelDataHeader frames in place', () => {
    expect(channelDataEnd(Buffer.from([0x40, 1, 0, 3, 7, 8, 9]))).toBe(7);
    expect(channelDataEnd(Buffer.from([0x40, 1, 0, 3, 7, 8, 9, 0]))).toBe(7); // padding
    expect(codeOf(() => channelDataEnd(Buffer.from([0x40, 0, 0])))).toBe('SHORT');
    expect(codeOf(() => channelDataEnd(Buffer.from([0x3f, 0xff, 0, 0])))).toBe('BAD_CHANNEL');
    expect(codeOf(() => channelDataEnd(Buffer.from([0x40, 0, 0, 5, 1, 2, 3, 4])))).toBe('BAD_LENGTH');
    expect(codeOf(() => channelDataEnd(Buffer.from([0x40, 0, 0, 1, 1, 0, 0, 0, 0])))).toBe('BAD_LENGTH');
    const out = Buffer.from([9, 9, 9, 9, 9, 0xaa, 0xbb]);
    writeChannelDataHeader(out, 1, 0x7ffe, 2);
    expect([...out]).toEqual([9, 0x7f, 0xfe, 0, 2, 0xaa, 0xbb]);
    expect(decodeChannelData(out.subarray(1))).toEqual({ channel: 0x7ffe, data: Buffer.from([0xaa, 0xbb]) });
    expect(codeOf(() => writeChannelDataHeader(out, 0, 0x8000, 1))).toBe('BAD_CHANNEL');
    expect(codeOf(() => writeChannelDataHeader(out, 0, 0x4000, 0x10000))).toBe('TOO_LARGE');
    expect([...out]).toEqual([9, 0x7f, 0xfe, 0, 2, 0xaa, 0xbb]); // refused writes change nothing
  });

  it('property: channelDataEnd agrees with decodeChannelData on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.integer({ min: 0x40, max: 0x7f }), (raw, first) => {
        const bytes = Buffer.from(raw);
        if (bytes.length > 0 && first % 2 === 0) bytes[0] = first; // often a valid channel
        const viaDecode = codeOf(() => decodeChannelData(bytes));
        expect(codeOf(() => channelDataEnd(bytes))).toBe(viaDecode);
        if (viaDecode === 'no error') expect(channelDataEnd(bytes)).toBe(4 + decodeChannelData(bytes).data.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('property: round trip with and without padding consumes every byte', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x4000, max: 0x7fff }), fc.uint8Array({ maxLength: 1500 }), fc.boolean(), (ch, data, pad) => {
        const bytes = encodeChannelData(ch, data, pad);
        expect(bytes.length).toBe(pad ? (4 + data.length + 3) & ~3 : 4 + data.length);
        const view = decodeChannelData(bytes);
        expect(view.channel).toBe(ch);
        expect(Buffer.compare(view.data, Buffer.from(data))).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });
});
