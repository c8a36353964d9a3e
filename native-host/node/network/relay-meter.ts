import { TokenBucket } from '../../common/token-bucket';

// Bandwidth limits of a blind relay: a budget per pair and one for the relay as a whole, both
// token buckets in bytes per second. Pure bookkeeping: the relay server samples how many bytes
// each pair has carried so far, and this says which pairs to cut.
//
// Why cut and not slow down: blind-relay joins the two raw UDX streams of a pair with udx's
// relayTo(), and libudx then forwards each packet in its receive path, in C, on the DHT's own
// socket. No packet of a pair ever reaches JavaScript, and udx-native offers no call to pause a
// relay, undo one, or pace it. What it does offer is a count of the bytes each stream received
// (`bytesReceived`, counted before the packet is forwarded). So the relay measures, and a pair
// that goes on exceeding its budget past a burst allowance is cut: both its streams are
// destroyed, the peers' connection fails, and what the pair can take from the relay is bounded.
// A call (a few hundred kB/s of audio and video) stays far below the default budget.

interface RelayRates {
  // Bytes per second a pair may carry, both directions together.
  maxPairRate: number;
  // Bytes per second the relay carries for all pairs together.
  maxTotalRate: number;
}

// A budget may be overdrawn by this many seconds of its rate at once (a keyframe burst, a
// sample that arrives late on a busy machine) before a pair is cut.
export const BURST_SECONDS = 2;

export type CutReason = 'pair-rate' | 'total-rate';

export class RelayMeter {
  private readonly _rates: RelayRates;
  private readonly _now: () => number;
  private readonly _pairs = new Map<string, { bucket: TokenBucket; seen: number }>();
  private readonly _total: TokenBucket;
  // Bytes carried by all pairs, ever.
  bytes = 0;

  constructor(rates: RelayRates, now: () => number = () => performance.now()) {
    this._rates = rates;
    this._now = now;
    this._total = new TokenBucket(rates.maxTotalRate, rates.maxTotalRate * BURST_SECONDS, now);
  }

  add(pair: string): void {
    if (this._pairs.has(pair)) return;
    const r = this._rates.maxPairRate;
    this._pairs.set(pair, { bucket: new TokenBucket(r, r * BURST_SECONDS, this._now), seen: 0 });
  }

  remove(pair: string): void {
    this._pairs.delete(pair);
  }

  // `carried`: each pair's byte count so far (cumulative, as udx counts them). Returns the
  // pairs to cut now: each that overdrew its own budget, then, while this sample overdraws the
  // relay's, the heaviest of the rest.
  sample(carried: ReadonlyMap<string, number>): { pair: string; reason: CutReason }[] {
    const cuts: { pair: string; reason: CutReason }[] = [];
    const deltas: { pair: string; bytes: number }[] = [];
    for (const [pair, total] of carried) {
      const p = this._pairs.get(pair);
      if (!p) continue;
      const bytes = Math.max(0, total - p.seen);
      p.seen = Math.max(p.seen, total);
      this.bytes += bytes;
      if (bytes === 0) continue;
      if (!p.bucket.take(bytes)) cuts.push({ pair, reason: 'pair-rate' });
      else deltas.push({ pair, bytes });
    }
    deltas.sort((a, b) => b.bytes - a.bytes);
    let sum = deltas.reduce((s, d) => s + d.bytes, 0);
    // take() takes nothing when it refuses: drop the heaviest pair until what is left fits.
    while (sum > 0 && !this._total.take(sum)) {
      const heaviest = deltas.shift()!;
      cuts.push({ pair: heaviest.pair, reason: 'total-rate' });
      sum -= heaviest.bytes;
    }
    for (const c of cuts) this._pairs.delete(c.pair);
    return cuts;
  }
}
