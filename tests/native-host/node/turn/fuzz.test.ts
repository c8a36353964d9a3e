import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StunError } from '../../../../native-host/node/turn/errors';
import * as A from '../../../../native-host/node/turn/stun/attributes';
import { ATTR, CLASS, METHOD, type StunClass } from '../../../../native-host/node/turn/stun/constants';
import { decodeErrorCode } from '../../../../native-host/node/turn/stun/error-code';
import { checkFingerprint } from '../../../../native-host/node/turn/stun/fingerprint';
import { longTermKey, verifyIntegrity } from '../../../../native-host/node/turn/stun/integrity';
import { StunMessage } from '../../../../native-host/node/turn/stun/message';
import { StunWriter } from '../../../../native-host/node/turn/stun/writer';
import { decodeAddress, decodeXorAddress, encodeXorAddress } from '../../../../native-host/node/turn/stun/xor-address';
import { decodeChannelData, encodeChannelData } from '../../../../native-host/node/turn/wire/channel-data';
import { encodeDataIndication, encodeSendIndication } from '../../../../native-host/node/turn/wire/indication';
import { Harness, PEER, RawClient } from '../../../../testkit/turn/harness';

// Untrusted bytes must either decode or raise StunError: never another exception, never a
// hang. Random arrays rarely get past the header checks, so most runs start from valid
// messages and damage them.

const RUNS = 10_000;
const KEY = longTermKey('alice', 'copybara', 'secret');

/** Runs every decoder over `bytes` and over each attribute value it finds. */
function decodeEverything(bytes: Uint8Array): void {
  const only = (fn: () => unknown): void => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof StunError)) throw err;
    }
  };
  only(() => decodeChannelData(bytes));
  only(() => {
    const msg = StunMessage.decode(bytes);
    checkFingerprint(msg);
    verifyIntegrity(msg, KEY);
    for (const type of msg.attributeTypes()) {
      for (const v of msg.getAll(type)) {
        only(() => decodeXorAddress(v, msg.transactionId));
        only(() => decodeAddress(v));
        only(() => decodeErrorCode(v));
        only(() => A.readUnknownAttributes(v));
        only(() => A.readLifetime(v));
        only(() => A.readChannelNumber(v));
        only(() => A.readEvenPort(v));
        only(() => A.readText(v, A.MAX_TEXT_BYTES, 'text'));
      }
    }
  });
}

const tid = randomBytes(12);
const seeds: Buffer[] = [
  new StunWriter(METHOD.ALLOCATE, CLASS.REQUEST, tid)
    .add(ATTR.REQUESTED_TRANSPORT, A.encodeRequestedTransport(17))
    .add(ATTR.USERNAME, 'alice')
    .add(ATTR.REALM, 'copybara')
    .add(ATTR.NONCE, '0'.repeat(28))
    .finish({ integrityKey: KEY, fingerprint: true }),
  new StunWriter(METHOD.CHANNEL_BIND, CLASS.REQUEST, tid)
    .add(ATTR.CHANNEL_NUMBER, A.encodeChannelNumber(0x4000))
    .addXorAddress(ATTR.XOR_PEER_ADDRESS, { family: 6, address: '2001:db8::1', port: 5 })
    .finish({ integrityKey: KEY }),
  new StunWriter(METHOD.ALLOCATE, CLASS.ERROR, tid)
    .addErrorCode(420)
    .add(ATTR.UNKNOWN_ATTRIBUTES, A.encodeUnknownAttributes([1, 2, 3]))
    .finish({ fingerprint: true }),
  encodeSendIndication(Buffer.from([100, 64, 0, 2]), 50000, randomBytes(40)),
  encodeDataIndication(Buffer.from([100, 64, 0, 2]), 50000, randomBytes(41)),
  encodeChannelData(0x4000, randomBytes(33), true),
  encodeChannelData(0x4001, randomBytes(30)),
];

/** A valid seed, then a few damaging edits: flips, overwrites, truncation, extension. */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
        fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
        fc.record({ op: fc.constant('cut' as const), at: fc.nat() }),
        fc.record({ op: fc.constant('grow' as const), extra: fc.uint8Array({ maxLength: 12 }) }),
        fc.record({ op: fc.constant('len' as const), value: fc.integer({ min: 0, max: 0xffff }) }),
      ),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([seed, edits]) => {
    let b = Buffer.from(seed);
    for (const e of edits) {
      if (e.op === 'flip' && b.length > 0) b[e.at % b.length]! ^= 1 << e.bit;
      else if (e.op === 'set' && b.length > 0) b[e.at % b.length] = e.value;
      else if (e.op === 'cut') b = b.subarray(0, e.at % (b.length + 1));
      else if (e.op === 'grow') b = Buffer.concat([b, e.extra]);
      else if (e.op === 'len' && b.length >= 4) b.writeUInt16BE(e.value, 2);
    }
    return b;
  });

/**
 * A well-framed message of arbitrary class/method with random attributes of known types
 * (MESSAGE-INTEGRITY and FINGERPRINT excluded: their lengths are fixed, so a random one is
 * malformed by definition).
 */
const FREE_TYPES = [...Object.values(ATTR), 0x7777, 0xc001].filter((t) => t !== ATTR.MESSAGE_INTEGRITY && t !== ATTR.FINGERPRINT);
const structured = fc
  .tuple(
    fc.integer({ min: 0, max: 0xfff }),
    fc.integer({ min: 0, max: 3 }),
    fc.array(fc.tuple(fc.constantFrom(...FREE_TYPES), fc.uint8Array({ maxLength: 24 })), { maxLength: 8 }),
    fc.boolean(),
  )
  .map(([method, cls, attrs, fp]) => {
    const w = new StunWriter(method, cls as StunClass, tid);
    for (const [type, value] of attrs) w.add(type, value);
    return w.finish({ fingerprint: fp });
  });

describe('fuzzing the decoders', () => {
  it(`${RUNS} random byte arrays: decode or StunError`, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => decodeEverything(bytes)),
      { numRuns: RUNS },
    );
  });

  it(`${RUNS} mutated valid messages: decode or StunError`, () => {
    fc.assert(
      fc.property(mutated, (bytes) => decodeEverything(bytes)),
      { numRuns: RUNS },
    );
  });

  it(`${RUNS} random well-framed messages decode completely`, () => {
    fc.assert(
      fc.property(structured, (bytes) => {
        decodeEverything(bytes);
        const msg = StunMessage.decode(bytes);
        expect(msg.raw.length).toBe(bytes.length);
        expect(checkFingerprint(msg)).not.toBe('invalid');
      }),
      { numRuns: RUNS },
    );
  });
});

describe('fuzzing the server datagram handler', () => {
  let h: Harness;
  let raw: RawClient;
  let nonce: string;
  beforeAll(async () => {
    h = await new Harness().start();
    h.addUser('alice', 'secret');
    raw = await RawClient.open(h.server.port);
    const challenge = StunMessage.decode(await raw.exchange(new StunWriter(METHOD.REFRESH, CLASS.REQUEST, randomBytes(12)).finish()));
    nonce = challenge.get(ATTR.NONCE)!.toString();
  });
  afterAll(async () => {
    await raw.close();
    await h.close();
  });

  const feed = (bytes: Uint8Array, fromRaw: boolean): void => {
    expect(() => h.server.handleDatagram(bytes, '127.0.0.1', fromRaw ? raw.port : 9)).not.toThrow();
  };

  it(`${RUNS} random and ${RUNS} mutated datagrams never escape or break the server`, async () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), feed), { numRuns: RUNS });
    fc.assert(fc.property(mutated, fc.boolean(), feed), { numRuns: RUNS });
    fc.assert(fc.property(structured, fc.boolean(), feed), { numRuns: RUNS });
    expect(h.logs.filter((l) => l.includes('internal error'))).toEqual([]);
    // Still serving: a fresh client allocates and relays.
    const c = await h.client('alice', 'secret');
    const relayed = await c.allocate();
    await c.createPermission(PEER.address);
    expect(h.server.deliver('alice', PEER.port, relayed.port, Buffer.from('alive'))).toBe(true);
    expect((await c.nextData()).data.toString()).toBe('alive');
  });

  it(`${RUNS} authenticated requests with random attributes reach the handlers without escaping`, () => {
    const request = fc
      .tuple(
        fc.constantFrom(METHOD.ALLOCATE, METHOD.REFRESH, METHOD.CREATE_PERMISSION, METHOD.CHANNEL_BIND),
        fc.array(
          fc.tuple(
            fc.constantFrom(
              ATTR.REQUESTED_TRANSPORT,
              ATTR.LIFETIME,
              ATTR.XOR_PEER_ADDRESS,
              ATTR.CHANNEL_NUMBER,
              ATTR.EVEN_PORT,
              ATTR.RESERVATION_TOKEN,
              ATTR.DONT_FRAGMENT,
              ATTR.REQUESTED_ADDRESS_FAMILY,
              ATTR.DATA,
              0x7777,
            ),
            fc.oneof(
              fc.uint8Array({ maxLength: 24 }),
              fc.constant(A.encodeRequestedTransport(17)),
              fc.constant(A.encodeChannelNumber(0x4000)),
              fc.constant(encodeXorAddress({ family: 4, ...PEER }, tid)),
              fc.constant(A.encodeU32(0)),
            ),
          ),
          { maxLength: 6 },
        ),
      )
      .map(([method, attrs]) => {
        const w = new StunWriter(method, CLASS.REQUEST, tid);
        for (const [type, value] of attrs) w.add(type, value);
        w.add(ATTR.USERNAME, 'alice').add(ATTR.REALM, 'copybara').add(ATTR.NONCE, nonce);
        return w.finish({ integrityKey: KEY, fingerprint: true });
      });
    fc.assert(
      fc.property(request, (bytes) => feed(bytes, true)),
      { numRuns: RUNS },
    );
    expect(h.logs.filter((l) => l.includes('internal error'))).toEqual([]);
    expect(h.server.stats().rejected).toBeGreaterThan(0);
  });
});
