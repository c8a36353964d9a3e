import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../native-host/common/token-bucket';

describe('TokenBucket', () => {
  it('gives the burst at once, then the rate, never more than the burst after a pause', () => {
    const clock = { ms: 0 };
    const b = new TokenBucket(10, 5, () => clock.ms);
    expect(Array.from({ length: 6 }, () => b.take())).toEqual([true, true, true, true, true, false]);
    clock.ms += 100;
    expect([b.take(), b.take()]).toEqual([true, false]);
    clock.ms += 60_000;
    expect(Array.from({ length: 6 }, () => b.take())).toEqual([true, true, true, true, true, false]);
  });

  it('takes several units at once, or none', () => {
    const clock = { ms: 0 };
    const b = new TokenBucket(1000, 100, () => clock.ms);
    expect(b.take(60)).toBe(true);
    expect(b.take(60)).toBe(false);
    expect(b.take(40)).toBe(true);
  });

  it('refuses a rate or burst that would admit nothing', () => {
    expect(() => new TokenBucket(0, 5)).toThrow(/positive rate/);
    expect(() => new TokenBucket(1, 0)).toThrow(/burst of at least 1/);
  });

  it('lets a whole message larger than what is left be spent, then says how long the debt lasts', () => {
    const clock = { ms: 0 };
    const b = new TokenBucket(1000, 100, () => clock.ms);
    expect(b.waitMs()).toBe(0);
    b.spend(600);
    // 500 units in debt at 1000 a second.
    expect(b.waitMs()).toBe(500);
    expect(b.take(1)).toBe(false);
    clock.ms += 499;
    expect(b.waitMs()).toBe(1);
    clock.ms += 1;
    expect(b.waitMs()).toBe(0);
    // Paid off, and refilling from there, never past the burst.
    clock.ms += 10_000;
    expect(b.take(100)).toBe(true);
    expect(b.take(1)).toBe(false);
  });
});
