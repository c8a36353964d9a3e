import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIPv6, isLoopback, parseIp, parseIPv4, parseIPv6 } from '../../../../../native-host/node/turn/stun/ip';
import {
  decodeAddress,
  decodeXorAddress,
  encodeAddress,
  encodeXorAddress,
  type TransportAddress,
} from '../../../../../native-host/node/turn/stun/xor-address';
import { codeOf } from '../../../../../testkit/turn/codes';

const tid = randomBytes(12);

describe('xor-address', () => {
  it.each<TransportAddress>([
    { family: 4, address: '100.64.0.1', port: 49152 },
    { family: 4, address: '0.0.0.0', port: 0 },
    { family: 4, address: '255.255.255.255', port: 65535 },
    { family: 6, address: '::1', port: 3478 },
    { family: 6, address: '2001:db8::1', port: 1 },
    { family: 6, address: '::', port: 9 },
    { family: 6, address: '::ffff:127.0.0.1', port: 9 },
    { family: 6, address: 'fe80::1:2:3:4', port: 7 },
  ])('round-trips $address:$port with exact length', (addr) => {
    const xor = encodeXorAddress(addr, tid);
    expect(xor.length).toBe(addr.family === 4 ? 8 : 20);
    expect(decodeXorAddress(xor, tid)).toEqual(addr);
    const plain = encodeAddress(addr);
    expect(plain.length).toBe(xor.length);
    expect(decodeAddress(plain)).toEqual(addr);
  });

  it('IPv4 XOR does not depend on the transaction id, IPv6 does', () => {
    const v4: TransportAddress = { family: 4, address: '10.1.2.3', port: 5 };
    expect(encodeXorAddress(v4, tid).equals(encodeXorAddress(v4, randomBytes(12)))).toBe(true);
    const v6: TransportAddress = { family: 6, address: '2001:db8::5', port: 5 };
    expect(encodeXorAddress(v6, tid).equals(encodeXorAddress(v6, Buffer.alloc(12)))).toBe(false);
  });

  it('rejects malformed values with BAD_ATTR', () => {
    expect(codeOf(() => decodeXorAddress(Buffer.from([0, 3, 0, 0, 1, 2, 3, 4]), tid))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeXorAddress(Buffer.from([0, 1, 0, 0, 1, 2, 3]), tid))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeXorAddress(Buffer.alloc(20, 0).fill(1, 1, 2), tid))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeAddress(Buffer.from([0, 2, 0, 0, 1, 2, 3, 4])))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeAddress(Buffer.alloc(2)))).toBe('BAD_ATTR');
    expect(codeOf(() => decodeXorAddress(encodeXorAddress({ family: 4, address: '1.2.3.4', port: 1 }, tid), Buffer.alloc(3)))).toBe(
      'BAD_ATTR',
    );
    expect(codeOf(() => encodeAddress({ family: 4, address: '::1', port: 1 }))).toBe('BAD_ATTR');
    expect(codeOf(() => encodeAddress({ family: 4, address: '1.2.3.4', port: 70000 }))).toBe('BAD_ATTR');
  });

  it('property: any IPv4/IPv6 address and port round-trips', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.ipV4(), fc.ipV6()),
        fc.integer({ min: 0, max: 65535 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        (ip, port, id) => {
          const bytes = parseIp(ip);
          expect(bytes).not.toBeNull();
          const family = bytes!.length === 4 ? 4 : 6;
          const canonical = family === 4 ? ip : formatIPv6(bytes!);
          const addr: TransportAddress = { family, address: canonical, port };
          expect(decodeXorAddress(encodeXorAddress(addr, id), id)).toEqual(addr);
          expect(parseIp(canonical)!.equals(bytes!)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('ip literals', () => {
  it('parses and formats per RFC 5952', () => {
    expect(formatIPv6(parseIPv6('2001:0DB8:0000:0000:0001:0000:0000:0001')!)).toBe('2001:db8::1:0:0:1');
    expect(formatIPv6(parseIPv6('1:0:2:0:3:0:4:0')!)).toBe('1:0:2:0:3:0:4:0');
    expect(formatIPv6(parseIPv6('fe80::1%eth0')!)).toBe('fe80::1');
    expect(formatIPv6(parseIPv6('::ffff:7f00:1')!)).toBe('::ffff:127.0.0.1');
    expect(formatIPv6(parseIPv6('1:0:0:2:0:0:0:3')!)).toBe('1:0:0:2::3');
    expect(parseIPv4('1.2.3.256')).toBeNull();
    expect(parseIPv4('1.2.3')).toBeNull();
    expect(parseIPv6('1::2::3')).toBeNull();
    expect(parseIPv6('1:2:3:4:5:6:7:8:9')).toBeNull();
    expect(parseIPv6('12345::')).toBeNull();
    expect(parseIp('not-an-ip')).toBeNull();
  });

  it('recognises loopback addresses only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['0.0.0.0', '10.0.0.1', '::', '::2', '128.0.0.1', 'localhost']) expect(isLoopback(a)).toBe(false);
  });
});
