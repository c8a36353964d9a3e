import { describe, expect, it } from 'vitest';
import { BURST_SECONDS, RelayMeter } from '../../../../native-host/node/network/relay-meter';

// A clock the test moves; the meter's buckets read it.
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const RATES = { maxPairRate: 1000, maxTotalRate: 2500 };

describe('RelayMeter', () => {
  it('lets a pair carry its rate for as long as it likes', () => {
    const c = clock();
    const m = new RelayMeter(RATES, c.now);
    m.add('a');
    let total = 0;
    for (let i = 0; i < 100; i++) {
      c.advance(250);
      total += 250;
      expect(m.sample(new Map([['a', [total]]]))).toEqual([]);
    }
    expect(m.bytes).toBe(25_000);
  });

  it('lets a pair burst up to BURST_SECONDS of its rate, and cuts it once it keeps going', () => {
    const c = clock();
    const m = new RelayMeter(RATES, c.now);
    m.add('a');
    // The whole burst at once is fine.
    expect(m.sample(new Map([['a', [1000 * BURST_SECONDS]]]))).toEqual([]);
    // Twice the rate from then on: cut within the next second.
    let total = 1000 * BURST_SECONDS;
    const cuts = [];
    for (let i = 0; i < 4 && cuts.length === 0; i++) {
      c.advance(250);
      total += 500;
      cuts.push(...m.sample(new Map([['a', [total]]])));
    }
    expect(cuts).toEqual([{ pair: 'a', reason: 'pair-rate' }]);
    // A pair cut is forgotten: its later counts are ignored.
    c.advance(250);
    expect(m.sample(new Map([['a', [total + 10_000]]]))).toEqual([]);
  });

  it('cuts the heaviest pairs while all of them together overdraw the relay, and only those', () => {
    const c = clock();
    const m = new RelayMeter(RATES, c.now);
    for (const p of ['a', 'b', 'c']) m.add(p);
    // Each pair within its own rate (900 B/s), 2700 B/s together: over the relay's 2500.
    const totals = new Map([
      ['a', [0]],
      ['b', [0]],
      ['c', [0]],
    ]);
    const more = (p: string, n: number) => totals.set(p, [totals.get(p)![0]! + n]);
    const cuts = [];
    for (let i = 0; i < 40 && cuts.length === 0; i++) {
      c.advance(1000);
      more('a', 950);
      more('b', 900);
      more('c', 850);
      cuts.push(...m.sample(totals));
    }
    expect(cuts).toEqual([{ pair: 'a', reason: 'total-rate' }]);
    // The other two fit from then on.
    totals.delete('a');
    for (let i = 0; i < 20; i++) {
      c.advance(1000);
      more('b', 900);
      more('c', 850);
      expect(m.sample(totals)).toEqual([]);
    }
  });

  it('ignores pairs it was not told of, counters that go backwards, and removed pairs', () => {
    const c = clock();
    const m = new RelayMeter(RATES, c.now);
    m.add('a');
    m.add('a');
    expect(m.sample(new Map([['x', [1e9]]]))).toEqual([]);
    expect(m.sample(new Map([['a', [500]]]))).toEqual([]);
    c.advance(1000);
    expect(m.sample(new Map([['a', [100]]]))).toEqual([]);
    expect(m.bytes).toBe(500);
    m.remove('a');
    expect(m.sample(new Map([['a', [1e9]]]))).toEqual([]);
  });

  it('meters each direction of a pair on its own: a download and an upload at the rate both carry on', () => {
    const c = clock();
    const m = new RelayMeter(RATES, c.now);
    m.add('a');
    let down = 0;
    let up = 0;
    for (let i = 0; i < 40; i++) {
      c.advance(250);
      down += 240;
      // The uploading end joins the pair a little later: its direction is metered from then.
      if (i >= 4) up += 240;
      expect(m.sample(new Map([['a', i >= 4 ? [down, up] : [down]]]))).toEqual([]);
    }
    expect(m.bytes).toBe(down + up);
  });

  it('cuts a pair when either direction keeps overdrawing, however little the other carries', () => {
    const c = clock();
    const m = new RelayMeter(RATES, c.now);
    m.add('a');
    let down = 0;
    let up = 0;
    const cuts = [];
    for (let i = 0; i < 40 && cuts.length === 0; i++) {
      c.advance(250);
      // 1.5 times the rate one way; acknowledgements the other way.
      down += 375;
      up += 10;
      cuts.push(...m.sample(new Map([['a', [up, down]]])));
    }
    expect(cuts).toEqual([{ pair: 'a', reason: 'pair-rate' }]);
    // The rate plus its burst, over the seconds it took: about 4 s at half the rate over.
    expect(down).toBeGreaterThan(1000 * BURST_SECONDS * 2 - 375);
    expect(down).toBeLessThan(1000 * BURST_SECONDS * 3 + 375);
  });
});
