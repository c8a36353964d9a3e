import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopybaraError } from '../../lib/errors';
import { CHROMIUM_EXTENSION_ID, EXTENSION_KEY } from '../../lib/extension-key';
import { createHash } from 'node:crypto';
import { formatBootstrap, parseBootstrap } from '../../native-host/common/bootstrap';
import { MAX_MEDIA_PAYLOAD, decodeMediaDatagram, encodeMediaDatagram } from '../../native-host/node/calls/media-datagram';
import { safetyCode } from '../../native-host/node/calls/safety-code';

describe('bootstrap list', () => {
  it('parses and formats host:port lists', () => {
    const list = parseBootstrap('127.0.0.1:49737, [::1]:5000,node.example:1');
    expect(list).toEqual([
      { host: '127.0.0.1', port: 49737 },
      { host: '::1', port: 5000 },
      { host: 'node.example', port: 1 },
    ]);
    expect(formatBootstrap(list)).toBe('127.0.0.1:49737,[::1]:5000,node.example:1');
  });

  it('says what is wrong', () => {
    expect(() => parseBootstrap('')).toThrow(/empty/);
    expect(() => parseBootstrap('127.0.0.1')).toThrow(/not host:port/);
    expect(() => parseBootstrap('127.0.0.1:0')).toThrow(/outside 1-65535/);
    expect(() => parseBootstrap('bad host:1')).toThrow(/malformed host/);
  });

  it('fuzz: parses or throws a CopybaraError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          parseBootstrap(s);
        } catch (err) {
          expect(err).toBeInstanceOf(CopybaraError);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('media datagram', () => {
  it('round-trips with a 5-byte header', () => {
    const payload = randomBytes(1000);
    const d = encodeMediaDatagram(49152, 65535, payload);
    expect(d.length).toBe(1005);
    const back = decodeMediaDatagram(d);
    expect(back.from).toBe(49152);
    expect(back.to).toBe(65535);
    expect(Buffer.from(back.payload)).toEqual(payload);
  });

  it('keeps inside the overlay datagram size', () => {
    expect(() => encodeMediaDatagram(1, 2, new Uint8Array(MAX_MEDIA_PAYLOAD + 1))).toThrow(/exceeds/);
    expect(() => decodeMediaDatagram(new Uint8Array(3))).toThrow(/shorter than its header/);
    expect(() => decodeMediaDatagram(Uint8Array.of(9, 0, 1, 0, 1))).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
    expect(() => decodeMediaDatagram(Uint8Array.of(1, 0, 0, 0, 1))).toThrow(/port 0/);
  });

  it('fuzz: decodes or throws a CopybaraError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1400 }), (b) => {
        try {
          decodeMediaDatagram(b);
        } catch (err) {
          expect(err).toBeInstanceOf(CopybaraError);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('safety code', () => {
  it('is the same from both sides and differs for other keys', () => {
    const a = randomBytes(32);
    const b = randomBytes(32);
    expect(safetyCode(a, b)).toBe(safetyCode(b, a));
    expect(safetyCode(a, b)).toMatch(/^\d{3} \d{3} \d{3} \d{3}$/);
    expect(safetyCode(a, randomBytes(32))).not.toBe(safetyCode(a, b));
  });
});

describe('extension key', () => {
  it('pins the extension id Chromium derives from it', () => {
    const hex = createHash('sha256').update(Buffer.from(EXTENSION_KEY, 'base64')).digest('hex').slice(0, 32);
    const id = [...hex].map((c) => String.fromCharCode(97 + Number.parseInt(c, 16))).join('');
    expect(id).toBe(CHROMIUM_EXTENSION_ID);
  });
});
