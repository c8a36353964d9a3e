import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRequestedTransport } from '../../../../native-host/node/turn/stun/attributes';
import { ATTR, CLASS, METHOD } from '../../../../native-host/node/turn/stun/constants';
import { decodeErrorCode } from '../../../../native-host/node/turn/stun/error-code';
import { checkFingerprint } from '../../../../native-host/node/turn/stun/fingerprint';
import { longTermKey, verifyIntegrity } from '../../../../native-host/node/turn/stun/integrity';
import { StunMessage } from '../../../../native-host/node/turn/stun/message';
import { readUnknownAttributes } from '../../../../native-host/node/turn/stun/attributes';
import { rejectionCode, TurnRequestError, type TurnClient } from '../../../../testkit/turn-client';
import { MAX_ALLOCATIONS_PER_USER } from '../../../../native-host/node/turn/allocate';
import { Harness } from '../../../../testkit/turn/harness';

const UDP: [number, Buffer] = [ATTR.REQUESTED_TRANSPORT, encodeRequestedTransport(17)];
const codeOfResponse = (m: StunMessage): number => decodeErrorCode(m.get(ATTR.ERROR_CODE)!).code;

describe('Allocate (RFC 5766 §6.2)', () => {
  let h: Harness;
  let c: TurnClient;
  beforeEach(async () => {
    h = await new Harness().start();
    h.addUser('alice', 'secret');
    c = await h.client('alice', 'secret');
  });
  afterEach(() => h.close());

  it('answers Binding requests with XOR-MAPPED-ADDRESS only on a 5-tuple that holds an allocation', async () => {
    await expect(c.binding()).rejects.toThrow(/timed out/);
    await c.allocate();
    const mapped = await c.binding();
    expect(mapped).toEqual({ address: '127.0.0.1', port: c.localPort });
  });

  it('challenges an unauthenticated Allocate with 401, REALM and NONCE, not counted as rejected', async () => {
    const res = await c.transact(METHOD.ALLOCATE, [UDP]);
    expect(res.cls).toBe(CLASS.ERROR);
    expect(codeOfResponse(res)).toBe(401);
    expect(res.get(ATTR.REALM)?.toString()).toBe('copybara');
    expect(res.get(ATTR.NONCE)?.toString()).toMatch(/^[0-9a-f]{28}$/);
    expect(res.integrityAt).toBe(-1);
    expect(checkFingerprint(res)).toBe('valid');
    expect(h.server.stats().rejected).toBe(0);
  });

  it('allocates after the 401 dance: relayed, mapped, lifetime, integrity and fingerprint', async () => {
    const relayed = await c.allocate();
    expect(relayed).toEqual({ address: '100.64.0.1', port: 49152 });
    expect(c.mapped).toEqual({ address: '127.0.0.1', port: c.localPort });
    expect(c.lifetime).toBe(600);
    expect(h.server.stats()).toMatchObject({ allocations: 1, users: 1, rejected: 0 });
  });

  it.each([
    [undefined, 600],
    [30, 600],
    [1000, 1000],
    [7200, 3600],
  ])('LIFETIME %s gives %i s', async (requested, granted) => {
    await c.allocate(requested === undefined ? {} : { lifetime: requested });
    expect(c.lifetime).toBe(granted);
  });

  it('rejects a second Allocate on the same 5-tuple with 437, but repeats the answer to a retransmit', async () => {
    await c.fetchNonce();
    const tid = randomBytes(12);
    const first = await c.transact(METHOD.ALLOCATE, [UDP], { auth: true, transactionId: tid });
    expect(first.cls).toBe(CLASS.SUCCESS);
    const again = await c.transact(METHOD.ALLOCATE, [UDP], { auth: true, transactionId: tid });
    expect(again.raw.equals(first.raw)).toBe(true);
    expect(h.server.stats().allocations).toBe(1);
    expect(await rejectionCode(c.allocate())).toBe(437);
    expect(h.server.stats()).toMatchObject({ allocations: 1, rejected: 1 });
  });

  it('442 for a transport other than UDP, 400 without REQUESTED-TRANSPORT', async () => {
    await c.fetchNonce();
    expect(await rejectionCode(c.request(METHOD.ALLOCATE, [[ATTR.REQUESTED_TRANSPORT, encodeRequestedTransport(6)]]))).toBe(442);
    expect(await rejectionCode(c.request(METHOD.ALLOCATE, []))).toBe(400);
    expect(await rejectionCode(c.request(METHOD.ALLOCATE, [[ATTR.REQUESTED_TRANSPORT, Buffer.alloc(2)]]))).toBe(400);
    expect(h.server.stats()).toMatchObject({ allocations: 0, rejected: 3 });
  });

  it('420 lists unknown comprehension-required attributes; ignores unknown optional ones', async () => {
    const err = await c.request(METHOD.ALLOCATE, [UDP, [0x7777, 'x'], [0x8777, 'y']]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TurnRequestError);
    const res = (err as TurnRequestError).response;
    expect((err as TurnRequestError).code).toBe(420);
    expect(readUnknownAttributes(res.get(ATTR.UNKNOWN_ATTRIBUTES)!)).toEqual([0x7777]);
    expect(verifyIntegrity(res, longTermKey('alice', 'copybara', 'secret'))).toBe(true);
    await c.allocate({ attrs: [[0x8777, 'y']] });
  });

  it('accepts DONT-FRAGMENT silently', async () => {
    await c.allocate({ attrs: [[ATTR.DONT_FRAGMENT, Buffer.alloc(0)]] });
    expect(h.server.stats().allocations).toBe(1);
  });

  it('honours EVEN-PORT, refuses reservations (508) and invalid combinations (400)', async () => {
    const odd = await h.client('alice', 'secret');
    await odd.allocate();
    expect(odd.relayed?.port).toBe(49152);
    const other = await h.client('alice', 'secret');
    await other.allocate({ attrs: [[ATTR.EVEN_PORT, Buffer.from([0])]] });
    expect(other.relayed!.port % 2).toBe(0);
    expect(await rejectionCode(c.allocate({ attrs: [[ATTR.EVEN_PORT, Buffer.from([0x80])]] }))).toBe(508);
    expect(await rejectionCode(c.allocate({ attrs: [[ATTR.RESERVATION_TOKEN, Buffer.alloc(8)]] }))).toBe(508);
    expect(
      await rejectionCode(
        c.allocate({
          attrs: [
            [ATTR.RESERVATION_TOKEN, Buffer.alloc(8)],
            [ATTR.EVEN_PORT, Buffer.from([0])],
          ],
        }),
      ),
    ).toBe(400);
  });

  it('REQUESTED-ADDRESS-FAMILY: IPv4 fine, IPv6 440, garbage 400', async () => {
    expect(await rejectionCode(c.allocate({ attrs: [[ATTR.REQUESTED_ADDRESS_FAMILY, Buffer.from([2, 0, 0, 0])]] }))).toBe(440);
    expect(await rejectionCode(c.allocate({ attrs: [[ATTR.REQUESTED_ADDRESS_FAMILY, Buffer.from([9, 0, 0, 0])]] }))).toBe(400);
    await c.allocate({ attrs: [[ATTR.REQUESTED_ADDRESS_FAMILY, Buffer.from([1, 0, 0, 0])]] });
  });

  it('one username may hold several allocations, each with its own port', async () => {
    const more = await Promise.all([h.client('alice', 'secret'), h.client('alice', 'secret')]);
    const ports = [await c.allocate(), ...(await Promise.all(more.map((m) => m.allocate())))].map((r) => r.port);
    expect(new Set(ports).size).toBe(3);
    expect(h.server.stats().allocations).toBe(3);
  });

  it(`486 beyond ${MAX_ALLOCATIONS_PER_USER} live allocations of one username`, async () => {
    const many = await Promise.all(Array.from({ length: MAX_ALLOCATIONS_PER_USER }, () => h.client('alice', 'secret')));
    await Promise.all(many.map((m) => m.allocate()));
    expect(await rejectionCode(c.allocate())).toBe(486);
    await many[0]!.refresh(0);
    await c.allocate();
  });

  it('401 for a wrong password or an unknown user, and nothing is allocated', async () => {
    const wrong = await h.client('alice', 'nope');
    expect(await rejectionCode(wrong.allocate())).toBe(401);
    const nobody = await h.client('mallory', 'secret');
    expect(await rejectionCode(nobody.allocate())).toBe(401);
    expect(h.server.stats()).toMatchObject({ allocations: 0, rejected: 2 });
  });

  it('400 when MESSAGE-INTEGRITY comes without USERNAME/REALM/NONCE', async () => {
    const res = await c.transact(METHOD.ALLOCATE, [UDP, [ATTR.MESSAGE_INTEGRITY, Buffer.alloc(20)]]);
    expect(codeOfResponse(res)).toBe(400);
    expect(res.integrityAt).toBe(-1);
  });

  it('438 with a fresh nonce once the nonce is stale; the client retries and succeeds', async () => {
    await c.allocate({ lifetime: 3600 });
    h.advance(11 * 60_000); // nonces last 10 minutes, the allocation an hour
    const res = await c.transact(METHOD.REFRESH, [], { auth: true });
    expect(codeOfResponse(res)).toBe(438);
    expect(res.get(ATTR.NONCE)).toBeDefined();
    expect(res.integrityAt).toBe(-1);
    expect(await c.refresh()).toBe(600);
  });

  it('an unsupported request method gets 400', async () => {
    const res = await c.transact(0x0bc);
    expect(codeOfResponse(res)).toBe(400);
  });
});
