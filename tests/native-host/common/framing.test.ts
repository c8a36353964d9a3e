import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame } from '../../../native-host/common/framing';

const messages = [{ a: 1 }, 'text', [1, 2, 3], { nested: { deep: 'ü€😀' } }, null, 42];

describe('native framing', () => {
  it('writes a 4-byte little-endian length before UTF-8 JSON', () => {
    const f = encodeFrame({ x: 'é' }, 100);
    expect(f.readUInt32LE(0)).toBe(f.length - 4);
    expect(f.subarray(4).toString('utf8')).toBe('{"x":"é"}');
  });

  it('refuses to write a message over the limit', () => {
    expect(() => encodeFrame('x'.repeat(200), 100)).toThrow(/exceeds the limit of 100 bytes/);
  });

  it('decodes frames however the stream is split or merged', () => {
    const all = Buffer.concat(messages.map((m) => encodeFrame(m, 1000)));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: all.length }), { maxLength: 20 }), (cuts) => {
        const points = [...new Set([0, ...cuts, all.length])].sort((a, b) => a - b);
        const d = new FrameDecoder(1000);
        const got: unknown[] = [];
        for (let i = 1; i < points.length; i++) {
          for (const f of d.push(all.subarray(points[i - 1], points[i]))) got.push(f.ok ? f.message : f.error);
        }
        expect(got).toEqual(messages);
      }),
      { numRuns: 500 },
    );
  });

  it('reports a body that is not JSON and keeps decoding after it', () => {
    const bad = Buffer.from([3, 0, 0, 0, 0x7b, 0x7b, 0x7b]);
    const d = new FrameDecoder(100);
    const out = d.push(Buffer.concat([bad, encodeFrame({ ok: 1 }, 100)]));
    expect(out[0]).toMatchObject({ ok: false });
    expect(out[0]!.ok ? '' : out[0]!.error.code).toBe('BAD_MESSAGE');
    expect(out[1]).toEqual({ ok: true, message: { ok: 1 } });
  });

  it('skips an oversize frame without losing the next one, even when it arrives in pieces', () => {
    const big = encodeFrame('y'.repeat(500), 10_000);
    const next = encodeFrame({ after: true }, 100);
    const d = new FrameDecoder(100);
    const stream = Buffer.concat([big, next]);
    const out = [];
    for (let i = 0; i < stream.length; i += 37) out.push(...d.push(stream.subarray(i, i + 37)));
    expect(out).toHaveLength(2);
    expect(out[0]!.ok ? '' : out[0]!.error.code).toBe('MESSAGE_TOO_LARGE');
    expect(out[1]).toEqual({ ok: true, message: { after: true } });
  });

  it('frames() parses no further than its reader reads, and yields the rest on the next call', () => {
    const d = new FrameDecoder(100);
    const all = Buffer.concat([encodeFrame(1, 100), Buffer.from([1, 0, 0, 0, 0x7b]), encodeFrame(3, 100)]);
    for (const f of d.frames(all)) {
      expect(f).toEqual({ ok: true, message: 1 });
      break;
    }
    const rest = d.push(Buffer.alloc(0));
    expect(rest.map((f) => (f.ok ? f.message : f.error.code))).toEqual(['BAD_MESSAGE', 3]);
  });

  it('never throws on garbage', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const d = new FrameDecoder(256);
        for (const c of chunks) for (const f of d.push(c)) expect(typeof f.ok).toBe('boolean');
      }),
      { numRuns: 5000 },
    );
  });
});
