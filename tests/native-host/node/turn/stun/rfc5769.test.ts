import { describe, expect, it } from 'vitest';
import { ATTR, CLASS, METHOD } from '../../../../../native-host/node/turn/stun/constants';
import { checkFingerprint } from '../../../../../native-host/node/turn/stun/fingerprint';
import { longTermKey, verifyIntegrity } from '../../../../../native-host/node/turn/stun/integrity';
import { StunMessage } from '../../../../../native-host/node/turn/stun/message';
import { StunWriter } from '../../../../../native-host/node/turn/stun/writer';
import { decodeXorAddress, encodeXorAddress } from '../../../../../native-host/node/turn/stun/xor-address';

// RFC 5769 "Test Vectors for Session Traversal Utilities for NAT (STUN)", §2.1-§2.4, as
// printed in the RFC. In §2.1-§2.3 the padding of SOFTWARE/USERNAME is 0x20, on purpose:
// receivers must ignore padding bytes.

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const TID = hex('b7 e7 a7 01 bc 34 d6 86 fa 87 df ae');
const SHORT_TERM_PASSWORD = 'VOkJxbRl1RmTxUk/WvJxBt';

// §2.1 Sample Request: Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME,
// MESSAGE-INTEGRITY (short-term password as key) and FINGERPRINT.
const SAMPLE_REQUEST = hex(`
  00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
  00 24 00 04 6e 00 01 ff
  80 29 00 08 93 2f f9 b1 51 26 3b 36
  00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
  00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
  80 28 00 04 e5 7a 3b cf`);

// §2.2 Sample IPv4 Response: XOR-MAPPED-ADDRESS 192.0.2.1:32853.
const IPV4_RESPONSE = hex(`
  01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 08 00 01 a1 47 e1 12 a6 43
  00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
  80 28 00 04 c0 7d 4c 96`);

// §2.3 Sample IPv6 Response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const IPV6_RESPONSE = hex(`
  01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
  80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
  00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
  00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
  80 28 00 04 c8 fb 0b 4c`);

// §2.4 Sample Request with Long-Term Authentication: USERNAME "マトリックス", NONCE, REALM
// "example.org", MESSAGE-INTEGRITY; no FINGERPRINT. The password "The<U+00AD>M<U+00AA>tr<U+2168>"
// becomes "TheMatrIX" after SASLprep, which is what the key is made from.
const LONG_TERM_REQUEST = hex(`
  00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
  00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
  00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
  00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
  00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66`);

const text = (b: Buffer | undefined): string => (b ?? Buffer.alloc(0)).toString('utf8');

describe('RFC 5769 test vectors', () => {
  it('§2.1 sample request: attributes, integrity and fingerprint', () => {
    const msg = StunMessage.decode(SAMPLE_REQUEST);
    expect(msg.method).toBe(METHOD.BINDING);
    expect(msg.cls).toBe(CLASS.REQUEST);
    expect(msg.transactionId.equals(TID)).toBe(true);
    expect(msg.attributeTypes()).toEqual([
      ATTR.SOFTWARE,
      ATTR.PRIORITY,
      ATTR.ICE_CONTROLLED,
      ATTR.USERNAME,
      ATTR.MESSAGE_INTEGRITY,
      ATTR.FINGERPRINT,
    ]);
    expect(text(msg.get(ATTR.SOFTWARE))).toBe('STUN test client');
    expect(text(msg.get(ATTR.USERNAME))).toBe('evtj:h6vY');
    expect(msg.get(ATTR.PRIORITY)?.toString('hex')).toBe('6e0001ff');
    expect(msg.get(ATTR.ICE_CONTROLLED)?.toString('hex')).toBe('932ff9b151263b36');
    expect(verifyIntegrity(msg, Buffer.from(SHORT_TERM_PASSWORD))).toBe(true);
    expect(verifyIntegrity(msg, Buffer.from('VOkJxbRl1RmTxUk/WvJxBT'))).toBe(false);
    expect(checkFingerprint(msg)).toBe('valid');
  });

  it('§2.2 IPv4 response: XOR-MAPPED-ADDRESS 192.0.2.1:32853', () => {
    const msg = StunMessage.decode(IPV4_RESPONSE);
    expect(msg.method).toBe(METHOD.BINDING);
    expect(msg.cls).toBe(CLASS.SUCCESS);
    expect(text(msg.get(ATTR.SOFTWARE))).toBe('test vector');
    const value = msg.get(ATTR.XOR_MAPPED_ADDRESS)!;
    expect(decodeXorAddress(value, msg.transactionId)).toEqual({ family: 4, address: '192.0.2.1', port: 32853 });
    expect(encodeXorAddress({ family: 4, address: '192.0.2.1', port: 32853 }, TID).equals(value)).toBe(true);
    expect(verifyIntegrity(msg, Buffer.from(SHORT_TERM_PASSWORD))).toBe(true);
    expect(checkFingerprint(msg)).toBe('valid');
  });

  it('§2.3 IPv6 response: XOR-MAPPED-ADDRESS [2001:db8:1234:5678:11:2233:4455:6677]:32853', () => {
    const msg = StunMessage.decode(IPV6_RESPONSE);
    const mapped = { family: 6, address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 } as const;
    const value = msg.get(ATTR.XOR_MAPPED_ADDRESS)!;
    expect(decodeXorAddress(value, msg.transactionId)).toEqual(mapped);
    expect(encodeXorAddress(mapped, TID).equals(value)).toBe(true);
    expect(verifyIntegrity(msg, Buffer.from(SHORT_TERM_PASSWORD))).toBe(true);
    expect(checkFingerprint(msg)).toBe('valid');
  });

  it('§2.4 request with long-term authentication', () => {
    const msg = StunMessage.decode(LONG_TERM_REQUEST);
    expect(msg.method).toBe(METHOD.BINDING);
    expect(text(msg.get(ATTR.USERNAME))).toBe('マトリックス');
    expect(text(msg.get(ATTR.NONCE))).toBe('f//499k954d6OL34oL9FSTvy64sA');
    expect(text(msg.get(ATTR.REALM))).toBe('example.org');
    expect(checkFingerprint(msg)).toBe('absent');
    const key = longTermKey('マトリックス', 'example.org', 'TheMatrIX');
    expect(verifyIntegrity(msg, key)).toBe(true);
    expect(verifyIntegrity(msg, longTermKey('マトリックス', 'example.org', 'thematrix'))).toBe(false);
  });

  it('§2.4 re-encoded from its parts comes out byte for byte', () => {
    const key = longTermKey('マトリックス', 'example.org', 'TheMatrIX');
    const tid = LONG_TERM_REQUEST.subarray(8, 20);
    const bytes = new StunWriter(METHOD.BINDING, CLASS.REQUEST, tid)
      .add(ATTR.USERNAME, 'マトリックス')
      .add(ATTR.NONCE, 'f//499k954d6OL34oL9FSTvy64sA')
      .add(ATTR.REALM, 'example.org')
      .finish({ integrityKey: key });
    expect(bytes.toString('hex')).toBe(LONG_TERM_REQUEST.toString('hex'));
  });

  it('§2.2 re-encoded (with zero padding) keeps valid integrity and fingerprint', () => {
    const bytes = new StunWriter(METHOD.BINDING, CLASS.SUCCESS, TID)
      .add(ATTR.SOFTWARE, 'test vector')
      .addXorAddress(ATTR.XOR_MAPPED_ADDRESS, { family: 4, address: '192.0.2.1', port: 32853 })
      .finish({ integrityKey: Buffer.from(SHORT_TERM_PASSWORD), fingerprint: true });
    expect(bytes.length).toBe(IPV4_RESPONSE.length);
    const msg = StunMessage.decode(bytes);
    expect(verifyIntegrity(msg, Buffer.from(SHORT_TERM_PASSWORD))).toBe(true);
    expect(checkFingerprint(msg)).toBe('valid');
    // Only the padding byte of SOFTWARE (0x20 in the RFC, 0x00 here) and the values
    // computed over it differ.
    expect(bytes.subarray(0, 35).equals(IPV4_RESPONSE.subarray(0, 35))).toBe(true);
    expect(bytes.subarray(36, 48).equals(IPV4_RESPONSE.subarray(36, 48))).toBe(true);
  });
});
