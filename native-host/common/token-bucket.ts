// A token bucket: up to `burst` units at once, refilled at `perSecond`. Used to bound what a
// remote peer can make the node do (messages, bytes, log lines) without refusing the bursts
// an honest peer makes.
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  private _tokens: number;
  private _at: number;
  private _now: () => number;

  constructor(perSecond: number, burst: number, now: () => number = () => performance.now()) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new RangeError(`a token bucket needs a positive rate and a burst of at least 1`);
    this.perSecond = perSecond;
    this.burst = burst;
    this._tokens = burst;
    this._now = now;
    this._at = now();
  }

  // Takes `n` units if there are that many; otherwise takes nothing.
  take(n = 1): boolean {
    this._refill();
    if (this._tokens < n) return false;
    this._tokens -= n;
    return true;
  }

  // Takes `n` units even if that leaves the bucket in debt: a sender of whole messages, some
  // larger than what is left, pays for each afterwards by waiting (waitMs) before the next.
  spend(n: number): void {
    this._refill();
    this._tokens -= n;
  }

  // Milliseconds until the bucket is out of debt; 0 when something may be spent now.
  waitMs(): number {
    this._refill();
    return this._tokens >= 0 ? 0 : Math.ceil((-this._tokens / this.perSecond) * 1000);
  }

  private _refill(): void {
    const now = this._now();
    this._tokens = Math.min(this.burst, this._tokens + ((now - this._at) / 1000) * this.perSecond);
    this._at = now;
  }
}
