import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as A from '../../../../../native-host/node/turn/stun/attributes';
import { ATTR, CLASS, METHOD, unknownRequired } from '../../../../../native-host/node/turn/stun/constants';
import { StunMessage } from '../../../../../native-host/node/turn/stun/message';
import { decodeXorAddress } from '../../../../../native-host/node/turn/stun/xor-address';
import { encodeDataIndication, encodeSendIndication } from '../../../../../native-host/node/turn/wire/indication';
import { codeOf } from '../../../../../testkit/turn/codes';

describe('fixed-layout attributes', () => {
  it('round-trip with exact lengths', () => {
    expect(A.readLifetime(A.encodeU32(3600))).toBe(3600);
    expect(A.readLifetime(A.encodeU32(0xffffffff))).toBe(0xffffffff);
    expect([...A.encodeRequestedTransport(17)]).toEqual([17, 0, 0, 0]);
    expect(A.readRequestedTransport(A.encodeRequestedTransport(17))).toBe(17);
    expect([...A.encodeChannelNumber(0x4abc)]).toEqual([0x4a, 0xbc, 0, 0]);
    expect(A.readChannelNumber(A.encodeChannelNumber(0x4abc))).toBe(0x4abc);
    expect(A.readEvenPort(Buffer.from([0x80]))).toEqual({ reserveNext: true });
    expect(A.readEvenPort(Buffer.from([0x00]))).toEqual({ reserveNext: false });
    expect(A.readRequestedAddressFamily(Buffer.from([2, 0, 0, 0]))).toBe(2);
    expect(A.readReservationToken(Buffer.alloc(8)).length).toBe(8);
    const types = [0x0001, 0x7fff, 0x1234];
    expect(A.encodeUnknownAttributes(types).length).toBe(6);
    expect(A.readUnknownAttributes(A.encodeUnknownAttributes(types))).toEqual(types);
    expect(A.readText(Buffer.from('realm'), A.MAX_TEXT_BYTES, 'REALM')).toBe('realm');
  });

  it('reject wrong lengths with BAD_ATTR', () => {
    expect(codeOf(() => A.readLifetime(Buffer.alloc(3)))).toBe('BAD_ATTR');
    expect(codeOf(() => A.readRequestedTransport(Buffer.alloc(1)))).toBe('BAD_ATTR');
    expect(codeOf(() => A.readChannelNumber(Buffer.alloc(2)))).toBe('BAD_ATTR');
    expect(codeOf(() => A.readEvenPort(Buffer.alloc(4)))).toBe('BAD_ATTR');
    expect(codeOf(() => A.readReservationToken(Buffer.alloc(4)))).toBe('BAD_ATTR');
    expect(codeOf(() => A.readRequestedAddressFamily(Buffer.alloc(1)))).toBe('BAD_ATTR');
    expect(codeOf(() => A.readUnknownAttributes(Buffer.alloc(3)))).toBe('BAD_ATTR');
    expect(codeOf(() => A.readText(Buffer.alloc(513), A.MAX_USERNAME_BYTES, 'USERNAME'))).toBe('BAD_ATTR');
  });

  it('knows which comprehension-required types it does not understand', () => {
    expect(unknownRequired([ATTR.USERNAME, ATTR.SOFTWARE, 0x7777, 0x8777, ATTR.DONT_FRAGMENT])).toEqual([0x7777]);
  });
});

describe('Send/Data indications (RFC 5766 §10)', () => {
  it.each([0, 1, 3, 4, 1100])('carry %i bytes with XOR-PEER-ADDRESS and DATA, exactly sized', (n) => {
    const data = randomBytes(n);
    for (const [encode, method] of [
      [encodeDataIndication, METHOD.DATA],
      [encodeSendIndication, METHOD.SEND],
    ] as const) {
      const bytes = encode(Buffer.from([100, 64, 0, 2]), 50000, data);
      expect(bytes.length).toBe(20 + 12 + 4 + ((n + 3) & ~3));
      const msg = StunMessage.decode(bytes);
      expect(msg.method).toBe(method);
      expect(msg.cls).toBe(CLASS.INDICATION);
      expect(decodeXorAddress(msg.get(ATTR.XOR_PEER_ADDRESS)!, msg.transactionId)).toEqual({
        family: 4,
        address: '100.64.0.2',
        port: 50000,
      });
      expect(msg.get(ATTR.DATA)!.equals(data)).toBe(true);
    }
  });

  it('use a fresh transaction id per indication unless one is given', () => {
    const a = StunMessage.decode(encodeDataIndication(Buffer.from([1, 2, 3, 4]), 1, Buffer.alloc(1)));
    const b = StunMessage.decode(encodeDataIndication(Buffer.from([1, 2, 3, 4]), 1, Buffer.alloc(1)));
    expect(a.transactionId.equals(b.transactionId)).toBe(false);
    const tid = randomBytes(12);
    expect(StunMessage.decode(encodeSendIndication(Buffer.alloc(16), 1, Buffer.alloc(1), tid)).transactionId.equals(tid)).toBe(true);
  });
});
