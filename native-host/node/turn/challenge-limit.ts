// How many answers the TURN server gives to requests it has not authenticated (the 401
// challenge, 438, and the 400s before authentication). Any page can point WebRTC at
// turn:127.0.0.1:PORT and any local process can send UDP there: each answer tells them a
// Copybara node listens and costs an HMAC for its nonce, so beyond a small budget the
// server stays silent. Pure: the caller passes the clock in.
//
// Budgets are per client transport address (address and port), not per IP: every local
// sender is 127.0.0.1, so a per-IP budget would let a flooding page use up the call tab's.
// A real client needs one 401 per socket (Chromium sends one unauthenticated Allocate per
// TURN port, then authenticates) and a 438 every nonce lifetime, so a few per second is
// far above what a call uses. The global budget bounds the total when a flood spreads
// over many ports; the per-source table only holds sources that were answered in this
// window, so it is bounded by the global budget.

export interface ChallengeLimits {
  /** Answers per client transport address in one window. */
  perSource: number;
  /** Answers to all clients together in one window. */
  global: number;
  /** Window length in ms. */
  windowMs: number;
}

export const CHALLENGE_LIMITS: ChallengeLimits = { perSource: 4, global: 64, windowMs: 1_000 };

export class ChallengeLimiter {
  private readonly limits: ChallengeLimits;
  private windowStart = Number.NEGATIVE_INFINITY;
  private total = 0;
  private readonly bySource = new Map<string, number>();

  constructor(limits: ChallengeLimits = CHALLENGE_LIMITS) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new TypeError(`challenge limit ${name} must be a positive integer, got ${value}`);
    }
    this.limits = limits;
  }

  /** True if `source` (address and port) may be answered at `now`; counts the answer. */
  allow(source: string, now: number): boolean {
    if (now - this.windowStart >= this.limits.windowMs || now < this.windowStart) {
      // A clock that went backwards starts a new window too, rather than silencing everyone.
      this.windowStart = now;
      this.total = 0;
      this.bySource.clear();
    }
    if (this.total >= this.limits.global) return false;
    const used = this.bySource.get(source) ?? 0;
    if (used >= this.limits.perSource) return false;
    this.bySource.set(source, used + 1);
    this.total++;
    return true;
  }
}
