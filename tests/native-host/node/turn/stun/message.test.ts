import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ATTR, CLASS, METHOD, type StunClass } from '../../../../../native-host/node/turn/stun/constants';
import { checkFingerprint, crc32 } from '../../../../../native-host/node/turn/stun/fingerprint';
import { verifyIntegrity } from '../../../../../native-host/node/turn/stun/integrity';
import { StunMessage, classOf, looksLikeStun, messageType, methodOf } from '../../../../../native-host/node/turn/stun/message';
import { StunWriter } from '../../../../../native-host/node/turn/stun/writer';
import { codeOf } from '../../../../../testkit/turn/codes';

const tid = (): Buffer => randomBytes(12);

describe('message type bits (RFC 5389 §6)', () => {
  it.each([
    [METHOD.BINDING, CLASS.REQUEST, 0x0001],
    [METHOD.BINDING, CLASS.SUCCESS, 0x0101],
    [METHOD.BINDING, CLASS.ERROR, 0x0111],
    [METHOD.ALLOCATE, CLASS.REQUEST, 0x0003],
    [METHOD.ALLOCATE, CLASS.SUCCESS, 0x0103],
    [METHOD.ALLOCATE, CLASS.ERROR, 0x0113],
    [METHOD.SEND, CLASS.INDICATION, 0x0016],
    [METHOD.DATA, CLASS.INDICATION, 0x0017],
    [METHOD.CHANNEL_BIND, CLASS.REQUEST, 0x0009],
    [0xfff, CLASS.ERROR, 0x3fff],
  ] as Array<[number, StunClass, number]>)('method %i class %i is type 0x%s', (method, cls, type) => {
    expect(messageType(method, cls)).toBe(type);
    expect(methodOf(type)).toBe(method);
    expect(classOf(type)).toBe(cls);
  });

  it('every 12-bit method and 2-bit class round-trips', () => {
    for (let method = 0; method < 0x1000; method++) {
      for (const cls of [0, 1, 2, 3] as StunClass[]) {
        const type = messageType(method, cls);
        expect(type & 0xc000).toBe(0);
        expect(methodOf(type)).toBe(method);
        expect(classOf(type)).toBe(cls);
      }
    }
  });
});

describe('StunWriter / StunMessage round trip', () => {
  it('keeps attributes, order, padding and exact length', () => {
    const id = tid();
    const bytes = new StunWriter(METHOD.ALLOCATE, CLASS.REQUEST, id)
      .add(ATTR.SOFTWARE, 'abc') // 3 bytes -> 1 byte of padding
      .add(ATTR.DATA, Buffer.alloc(0))
      .addU32(ATTR.LIFETIME, 1234)
      .add(0x8055, Buffer.from([1, 2, 3, 4, 5]))
      .finish();
    expect(bytes.length).toBe(20 + (4 + 4) + 4 + (4 + 4) + (4 + 8));
    expect(bytes.readUInt16BE(2)).toBe(bytes.length - 20);
    const msg = StunMessage.decode(bytes);
    expect(msg.raw.length).toBe(bytes.length);
    expect(msg.transactionId.equals(id)).toBe(true);
    expect(msg.attributeTypes()).toEqual([ATTR.SOFTWARE, ATTR.DATA, ATTR.LIFETIME, 0x8055]);
    expect(msg.get(ATTR.SOFTWARE)?.toString()).toBe('abc');
    expect(msg.get(ATTR.DATA)?.length).toBe(0);
    expect(msg.get(ATTR.LIFETIME)?.readUInt32BE(0)).toBe(1234);
    expect([...msg.get(0x8055)!]).toEqual([1, 2, 3, 4, 5]);
    expect(bytes[20 + 4 + 3]).toBe(0);
    expect(msg.integrityAt).toBe(-1);
    expect(checkFingerprint(msg)).toBe('absent');
  });

  it('adds MESSAGE-INTEGRITY then FINGERPRINT, both verifiable, and detects tampering', () => {
    const key = randomBytes(16);
    const bytes = new StunWriter(METHOD.REFRESH, CLASS.SUCCESS, tid())
      .addU32(ATTR.LIFETIME, 600)
      .finish({ integrityKey: key, fingerprint: true });
    expect(bytes.length).toBe(20 + 8 + 24 + 8);
    const msg = StunMessage.decode(bytes);
    expect(msg.attributeTypes()).toEqual([ATTR.LIFETIME, ATTR.MESSAGE_INTEGRITY, ATTR.FINGERPRINT]);
    expect(verifyIntegrity(msg, key)).toBe(true);
    expect(verifyIntegrity(msg, randomBytes(16))).toBe(false);
    expect(checkFingerprint(msg)).toBe('valid');
    const flipped = Buffer.from(bytes);
    flipped[27]! ^= 1;
    const bad = StunMessage.decode(flipped);
    expect(verifyIntegrity(bad, key)).toBe(false);
    expect(checkFingerprint(bad)).toBe('invalid');
  });

  it('getAll returns repeated attributes, get the first', () => {
    const bytes = new StunWriter(METHOD.CREATE_PERMISSION, CLASS.REQUEST, tid())
      .add(ATTR.XOR_PEER_ADDRESS, Buffer.from([0, 1, 0, 1, 1, 1, 1, 1]))
      .add(ATTR.XOR_PEER_ADDRESS, Buffer.from([0, 1, 0, 2, 2, 2, 2, 2]))
      .finish();
    const msg = StunMessage.decode(bytes);
    expect(msg.getAll(ATTR.XOR_PEER_ADDRESS).map((v) => v[3])).toEqual([1, 2]);
    expect(msg.get(ATTR.XOR_PEER_ADDRESS)?.[3]).toBe(1);
    expect(msg.has(ATTR.USERNAME)).toBe(false);
  });

  it('ignores attributes after MESSAGE-INTEGRITY except FINGERPRINT (RFC 5389 §15.4)', () => {
    const key = Buffer.from('k');
    const signed = new StunWriter(METHOD.ALLOCATE, CLASS.REQUEST, tid()).addU32(ATTR.LIFETIME, 1).finish({ integrityKey: key });
    const extra = Buffer.from([0x00, 0x13, 0x00, 0x04, 1, 2, 3, 4]);
    const bytes = Buffer.concat([signed, extra]);
    bytes.writeUInt16BE(bytes.length - 20, 2);
    const msg = StunMessage.decode(bytes);
    expect(msg.has(ATTR.DATA)).toBe(false);
    expect(verifyIntegrity(msg, key)).toBe(true);
  });

  it('the writer refuses what cannot be a STUN message', () => {
    expect(codeOf(() => new StunWriter(1, 0, Buffer.alloc(11)))).toBe('BAD_ATTR');
    expect(codeOf(() => new StunWriter(1, 0, tid()).add(ATTR.DATA, Buffer.alloc(70_000)))).toBe('TOO_LARGE');
    const w = new StunWriter(1, 0, tid());
    w.add(ATTR.DATA, Buffer.alloc(60_000));
    expect(codeOf(() => w.add(ATTR.DATA, Buffer.alloc(10_000)))).toBe('TOO_LARGE');
  });
});

describe('strict decoding', () => {
  const good = new StunWriter(METHOD.BINDING, CLASS.REQUEST, tid()).add(ATTR.SOFTWARE, 'abcd').finish({ fingerprint: true });
  // SOFTWARE 'abcd' is the only attribute: a longer claimed length runs off the end.
  const withSoftwareLength = (n: number): Buffer => {
    const b = new StunWriter(METHOD.BINDING, CLASS.REQUEST, tid()).add(ATTR.SOFTWARE, 'abcd').finish();
    b.writeUInt16BE(n, 22);
    return b;
  };
  const mutate = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(good);
    f(b);
    return b;
  };

  it.each([
    ['empty', Buffer.alloc(0), 'SHORT'],
    ['19 bytes', good.subarray(0, 19), 'SHORT'],
    ['leading bits set', mutate((b) => (b[0]! |= 0x80)), 'NOT_STUN'],
    ['ChannelData-looking', mutate((b) => (b[0]! |= 0x40)), 'NOT_STUN'],
    ['bad cookie', mutate((b) => (b[4]! ^= 1)), 'BAD_COOKIE'],
    ['length not multiple of 4', mutate((b) => b.writeUInt16BE(b.readUInt16BE(2) + 2, 2)), 'BAD_LENGTH'],
    ['length beyond datagram', mutate((b) => b.writeUInt16BE(b.readUInt16BE(2) + 4, 2)), 'BAD_LENGTH'],
    ['truncated datagram', good.subarray(0, good.length - 4), 'BAD_LENGTH'],
    ['trailing bytes', Buffer.concat([good, Buffer.alloc(4)]), 'BAD_LENGTH'],
    ['attribute overruns', withSoftwareLength(9), 'ATTR_OVERFLOW'],
    ['padding overruns', withSoftwareLength(5), 'ATTR_OVERFLOW'],
  ])('%s -> %s', (_name, bytes, code) => {
    expect(codeOf(() => StunMessage.decode(bytes))).toBe(code);
  });

  it('FINGERPRINT must be last and 4 bytes; MESSAGE-INTEGRITY 20 bytes', () => {
    const afterFp = Buffer.concat([good, Buffer.from([0x80, 0x22, 0, 0])]);
    afterFp.writeUInt16BE(afterFp.length - 20, 2);
    expect(codeOf(() => StunMessage.decode(afterFp))).toBe('BAD_FINGERPRINT');
    const shortFp = new StunWriter(1, 0, tid()).add(ATTR.FINGERPRINT, Buffer.alloc(8)).finish();
    expect(codeOf(() => StunMessage.decode(shortFp))).toBe('BAD_FINGERPRINT');
    const shortMi = new StunWriter(1, 0, tid()).add(ATTR.MESSAGE_INTEGRITY, Buffer.alloc(16)).finish();
    expect(codeOf(() => StunMessage.decode(shortMi))).toBe('BAD_INTEGRITY');
  });

  it('accepts a plain Uint8Array and non-zero padding bytes', () => {
    expect(StunMessage.decode(new Uint8Array(good)).get(ATTR.SOFTWARE)?.toString()).toBe('abcd');
    const odd = new StunWriter(1, 0, tid()).add(ATTR.SOFTWARE, 'abc').finish();
    odd[27] = 0x20;
    expect(StunMessage.decode(odd).get(ATTR.SOFTWARE)?.toString()).toBe('abc');
  });

  it('looksLikeStun is a cheap pre-check consistent with decode', () => {
    expect(looksLikeStun(good)).toBe(true);
    expect(looksLikeStun(mutate((b) => (b[5]! ^= 1)))).toBe(false);
    expect(looksLikeStun(good.subarray(0, 10))).toBe(false);
  });

  it('CRC-32 matches the standard check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });
});
