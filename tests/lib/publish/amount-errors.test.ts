import { describe, expect, it } from 'vitest';
import { ResolveError } from '../../../lib/names/errors';
import { formatAmount } from '../../../lib/publish/amount';
import { PublishError, asPublishError } from '../../../lib/publish/errors';
import { refusal } from '../../../lib/publish/plan';
import { sendFailure } from '../../../lib/publish/submit';

const AZERO = { symbol: 'AZERO', decimals: 12 };

describe('formatAmount', () => {
  it.each([
    [0n, '0 AZERO'],
    [1_000_000_000_000n, '1 AZERO'],
    [1_500_000_000_000n, '1.5 AZERO'],
    [12_345_678_901_234n, '12.3457 AZERO'], // four decimals, rounded up
    [3_141_592_653n, '0.003142 AZERO'], // four significant digits
    [1n, '0.000000000001 AZERO'],
    [999_999_999_999n, '1 AZERO'], // rounding up carries into the whole part
    [10_000_000_000n, '0.01 AZERO'],
  ])('%s planck is %s', (v, text) => {
    expect(formatAmount(v, AZERO)).toBe(text);
  });

  it('never understates a cost', () => {
    for (let v = 1n; v < 10n ** 13n; v = v * 7n + 3n) {
      const [num] = formatAmount(v, AZERO).split(' ');
      const [w, f = ''] = num!.split('.');
      const shown = BigInt(w!) * 10n ** 12n + BigInt(f.padEnd(12, '0'));
      expect(shown >= v).toBe(true);
    }
  });
});

describe('errors in words', () => {
  it('maps name-resolution errors onto publish codes', () => {
    expect(asPublishError(ResolveError.unreachable('ws://127.0.0.1:1', 'connection refused')).code).toBe('UNREACHABLE');
    expect(asPublishError(ResolveError.unreachable('ws://127.0.0.1:1', 'connection refused')).message).toMatch(/ws:\/\/127\.0\.0\.1:1/);
    expect(asPublishError(ResolveError.invalid('bo b.azero', 'a space')).code).toBe('NAME_INVALID');
    expect(asPublishError(ResolveError.chain('junk')).code).toBe('CHAIN');
    expect(asPublishError(new TypeError('boom')).code).toBe('CHAIN');
  });

  it('the controller message says what to do', () => {
    expect(PublishError.notController('bob.azero').message).toBe(
      'This account is neither the owner nor the controller of bob.azero. Choose the account that owns it, or ask its owner to make you controller.',
    );
  });

  it('reads a refused send', () => {
    const ep = 'ws://x';
    expect(sendFailure(new Error('Cancelled'), new Error('Cancelled'), ep, true).code).toBe('REJECTED');
    expect(sendFailure(new Error('Rejected by user'), new Error('Rejected by user'), ep, true).message).toMatch(/did not sign/);
    expect(sendFailure(new Error('wallet locked'), new Error('wallet locked'), ep, true).message).toMatch(/could not sign.*wallet locked/);
    const fees = sendFailure(
      new Error('1010: Invalid Transaction: Inability to pay some fees , e.g. account balance too low'),
      null,
      ep,
      true,
    );
    expect(fees.code).toBe('INVALID');
    expect(fees.message).toMatch(/cannot pay the fee/);
    expect(sendFailure(new Error('1010: Invalid Transaction: Transaction has a bad signature'), null, ep, true).message).toMatch(
      /signature/,
    );
    expect(sendFailure(new Error('1014: Priority is too low'), null, ep, true).code).toBe('INVALID');
    expect(sendFailure(new Error('WebSocket is not connected'), null, ep, false).code).toBe('UNREACHABLE');
    expect(sendFailure(new Error('something odd'), null, ep, true).code).toBe('CHAIN');
  });
});

describe("the registry's refusals in a dry run", () => {
  it.each([
    ['CallerIsNotController', 'NOT_CONTROLLER'],
    ['NameDoesntExist', 'NAME_NOT_FOUND'],
    ['RecordsOverflow', 'RECORDS_OVERFLOW'],
    ['FeeError', 'CHAIN'],
  ])('%s is %s', (error, code) => {
    expect(refusal(error, 'bob.azero').code).toBe(code);
  });
});
