import { describe, expect, it } from 'vitest';
import { type CheckResult, callerOutcome, dialledName, verifiedName } from '../../../lib/ext/verification';
import { encodeNodeId } from '../../../lib/node-id';
import { resolution } from '../../../testkit/ext/fakes';
import { BOB, callInfo } from '../../../testkit/ext/fixtures';
import type { ErrorCode } from '../../../lib/errors';

const CAROL = encodeNodeId(new Uint8Array(32).fill(9));
const call = callInfo({ direction: 'incoming', state: 'incoming', peer: BOB, peerName: 'bob.azero' });
const strict = { allowMismatchedNames: false };
const lenient = { allowMismatchedNames: true };
const found = (nodeId: string | null, fromCache = false): CheckResult => ({
  ok: true,
  resolution: resolution('bob.azero', nodeId, { fromCache, verifiedAt: 7 }),
});
const failed = (code: ErrorCode, message = 'words'): CheckResult => ({ ok: false, error: { code, message } });

describe('callerOutcome', () => {
  it('verified: the name points to the calling key', () => {
    expect(callerOutcome(call, found(BOB), strict)).toEqual({
      verification: { status: 'verified', name: 'bob.azero', verifiedAt: 7, fromCache: false },
      ring: true,
    });
  });

  it('verified from the cache when the chain is away and the saved answer matches', () => {
    expect(callerOutcome(call, found(BOB, true), strict).verification).toEqual({
      status: 'verified',
      name: 'bob.azero',
      verifiedAt: 7,
      fromCache: true,
    });
  });

  it('mismatch: declined unless the settings allow it', () => {
    const v = { status: 'mismatch', name: 'bob.azero', reason: 'other-node' };
    expect(callerOutcome(call, found(CAROL), strict)).toEqual({ verification: v, ring: false });
    expect(callerOutcome(call, found(CAROL), lenient)).toEqual({ verification: v, ring: true });
  });

  it.each([
    [failed('NAME_NOT_REGISTERED'), 'not-registered'],
    [failed('NO_NODE_ID'), 'no-node-id'],
    [found(null), 'no-node-id'],
  ])('the chain’s own "no" is a mismatch too (%j)', (result, reason) => {
    expect(callerOutcome(call, result, strict)).toEqual({ verification: { status: 'mismatch', name: 'bob.azero', reason }, ring: false });
  });

  it.each([
    'CHAIN_UNREACHABLE',
    'CHAIN_ERROR',
    'RECORD_MALFORMED',
    'NAME_INVALID',
    'TLD_UNSUPPORTED',
    'CHECK_TIMEOUT',
    'INTERNAL',
  ] as const)('unverifiable after %s: rings, showing the node id', (code) => {
    expect(callerOutcome(call, failed(code), strict)).toEqual({
      verification: { status: 'unverifiable', name: 'bob.azero', error: { code, message: 'words' } },
      ring: true,
    });
  });

  it('a stale saved answer that disagrees is not proof: unverifiable, rings', () => {
    expect(callerOutcome(call, found(CAROL, true), strict)).toMatchObject({
      verification: { status: 'unverifiable', error: { code: 'CACHED_MISMATCH' } },
      ring: true,
    });
  });

  it('keeps the claim as the caller typed it when it does not check out', () => {
    const odd = { ...call, peerName: 'Bob.AZERO' };
    expect(callerOutcome(odd, found(CAROL), lenient).verification).toMatchObject({ name: 'Bob.AZERO' });
    expect(callerOutcome(odd, found(BOB), lenient).verification).toMatchObject({ name: 'bob.azero' }); // canonical once verified
  });
});

describe('helpers', () => {
  it('an outgoing call to a resolved name is verified by that resolution', () => {
    expect(dialledName(resolution('bob.azero', BOB, { verifiedAt: 3, fromCache: true }))).toEqual({
      status: 'verified',
      name: 'bob.azero',
      verifiedAt: 3,
      fromCache: true,
    });
  });

  it('verifiedName gives only a verified name', () => {
    expect(verifiedName({ status: 'verified', name: 'a.azero', verifiedAt: 0, fromCache: false })).toBe('a.azero');
    expect(verifiedName({ status: 'mismatch', name: 'a.azero', reason: 'other-node' })).toBeNull();
    expect(verifiedName(null)).toBeNull();
  });
});
