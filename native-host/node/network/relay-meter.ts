import { TokenBucket } from '../../common/token-bucket';
import { RELAY_BURST_SECONDS } from './relay-rates';

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
// Each direction of a pair has its own budget (relay-rates.ts is the contract with the nodes,
// which pace what they send through a relay below it). A call (a few hundred kB/s of audio and
// video) stays far below the default budget.

interface RelayRates {
  // Bytes per second a pair may carry in each direction (each counted on its own).
  maxPairRate: number;
  // Bytes per second the relay carries for all pairs together, both directions.
  maxTotalRate: number;
}

// A budget may be overdrawn by this many seconds of its rate at once before a pair is cut.
export const BURST_SECONDS = RELAY_BURST_SECONDS;

export type CutReason = 'pair-rate' | 'total-rate';

// One direction of a pair: its budget and how many of its bytes were seen so far.
interface Direction {
  bucket: TokenBucket;
  seen: number;
}

export class RelayMeter {
  private readonly _rates: RelayRates;
  private readonly _now: () => number;
  private readonly _pairs = new Map<string, Direction[]>();
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
    this._pairs.set(pair, []);
  }

  remove(pair: string): void {
    this._pairs.delete(pair);
  }

  // `carried`: each pair's byte counts so far, one per direction (cumulative, as udx counts the
  // bytes each end of the pair sent the relay). Returns the pairs to cut now: each with a
  // direction that overdrew its own budget, then, while this sample overdraws the relay's, the
  // heaviest of the rest.
  sample(carried: ReadonlyMap<string, readonly number[]>): { pair: string; reason: CutReason }[] {
    const cuts: { pair: string; reason: CutReason }[] = [];
    const deltas: { pair: string; bytes: number }[] = [];
    for (const [pair, totals] of carried) {
      const directions = this._pairs.get(pair);
      if (!directions) continue;
      let sum = 0;
      let over = false;
      totals.forEach((total, i) => {
        // A direction is metered from the first time it is seen (a pair's second end joins later).
        const d = (directions[i] ??= { bucket: this._bucket(), seen: 0 });
        const bytes = Math.max(0, total - d.seen);
        d.seen = Math.max(d.seen, total);
        sum += bytes;
        if (bytes > 0 && !d.bucket.take(bytes)) over = true;
      });
      this.bytes += sum;
      if (over) cuts.push({ pair, reason: 'pair-rate' });
      else if (sum > 0) deltas.push({ pair, bytes: sum });
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

  private _bucket(): TokenBucket {
    const r = this._rates.maxPairRate;
    return new TokenBucket(r, r * BURST_SECONDS, this._now);
  }
}
