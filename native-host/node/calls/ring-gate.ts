// Who may ring us, and how often: decided before a ring reaches the call machine (and so
// before it can take the single live-call slot or reach the browser). Pure: the clock is
// passed in, nothing here has timers or I/O.

export interface RingLimits {
  perCaller: number; // admitted rings per caller key within `windowMs`
  global: number; // admitted rings from all keys within `windowMs`
  windowMs: number;
  maxUnrung: number; // incoming connections that have not rung yet
}

export const DEFAULT_RING_LIMITS: RingLimits = { perCaller: 3, global: 10, windowMs: 30_000, maxUnrung: 16 };

// What the browser told us (the `ring-policy` request): keys never to ring, and, when the
// person allows only contacts, the only keys that may.
export interface RingPolicy {
  blocked: readonly string[];
  allowOnly: readonly string[] | null;
}

export type RefuseWhy = 'blocked' | 'not-a-contact' | 'caller-rate' | 'global-rate';

// `log`: a line to log, or null when this kind of refusal was logged within the window
// already (a flood must not flood the log either).
export type GateVerdict = { kind: 'ring' } | { kind: 'refuse'; why: RefuseWhy; log: string | null };

// Bounds the memory a flood from many made-up keys can take.
const MAX_TRACKED = 4096;

export class RingGate {
  readonly limits: RingLimits;
  private _blocked = new Set<string>();
  private _allowOnly: Set<string> | null = null;
  // Per caller, the times of its latest ring attempts (`perCaller` + 1 are enough to judge).
  private readonly _attempts = new Map<string, number[]>();
  private readonly _admitted: number[] = [];
  private readonly _logged = new Map<string, number>();

  constructor(limits: Partial<RingLimits> = {}) {
    this.limits = { ...DEFAULT_RING_LIMITS, ...limits };
  }

  setPolicy(policy: RingPolicy): void {
    this._blocked = new Set(policy.blocked);
    this._allowOnly = policy.allowOnly ? new Set(policy.allowOnly) : null;
  }

  // `withOurLink`: the ring presents a call link we issued and that can still be answered.
  // Handing out a link invites whoever gets it, contact or not; blocks and limits still hold.
  admit(caller: string, now: number, withOurLink = false): GateVerdict {
    const short = caller.slice(0, 8);
    if (this._blocked.has(caller)) return this._refuse('blocked', caller, now, `a ring from blocked ${short}… refused`);
    if (this._allowOnly && !withOurLink && !this._allowOnly.has(caller))
      return this._refuse('not-a-contact', caller, now, `a ring from ${short}…, not a contact, refused (only contacts may ring)`);
    const since = now - this.limits.windowMs;
    // Every attempt counts, refused ones too: a key that keeps ringing stays refused until
    // it has been quiet for a whole window, so it cannot hold the line by re-ringing.
    const mine = (this._attempts.get(caller) ?? []).filter((t) => t > since);
    mine.push(now);
    this._attempts.delete(caller);
    this._attempts.set(caller, mine.slice(-this.limits.perCaller - 1));
    this._trim(since);
    if (mine.length > this.limits.perCaller)
      return this._refuse(
        'caller-rate',
        caller,
        now,
        `rings from ${short}… over ${this.limits.perCaller} per ${this.limits.windowMs / 1000} s; refusing them`,
      );
    // Only admitted rings count here, so one flooding key cannot use up everyone's share.
    while (this._admitted.length > 0 && this._admitted[0]! <= since) this._admitted.shift();
    if (this._admitted.length >= this.limits.global)
      return this._refuse(
        'global-rate',
        '',
        now,
        `rings over ${this.limits.global} per ${this.limits.windowMs / 1000} s from all callers; refusing them`,
      );
    this._admitted.push(now);
    return { kind: 'ring' };
  }

  // The person answered this caller: forget its rings, so calling back and forth is never
  // mistaken for a flood. The global count stays.
  answered(caller: string): void {
    this._attempts.delete(caller);
  }

  private _refuse(why: RefuseWhy, caller: string, now: number, line: string): GateVerdict {
    const key = `${why}:${caller}`;
    const last = this._logged.get(key);
    const log = last === undefined || now - last >= this.limits.windowMs ? line : null;
    if (log !== null) {
      this._logged.delete(key);
      this._logged.set(key, now);
    }
    return { kind: 'refuse', why, log };
  }

  // Forgets keys quiet for a window once many are tracked; beyond MAX_TRACKED, the
  // least recently seen (Maps keep insertion order, and every use re-inserts).
  private _trim(since: number): void {
    for (const map of [this._attempts, this._logged] as Map<string, unknown>[]) {
      if (map.size <= MAX_TRACKED / 2) continue;
      for (const [k, v] of map) {
        const last = Array.isArray(v) ? (v[v.length - 1] as number) : (v as number);
        if (last > since && map.size <= MAX_TRACKED) break;
        map.delete(k);
      }
    }
  }
}

// Incoming connections that have not rung yet, oldest first. When one more arrives than
// `max`, the oldest is given up: a real caller rings as soon as its connection opens, so
// only a silent one grows old, and closing the newest instead would let a few silent
// connections, renewed every timeout, turn every real caller away.
export class UnrungConnections<T extends { close(): void }> {
  private readonly _max: number;
  private readonly _log: (line: string) => void;
  private readonly _items = new Set<T>();
  private _closed = 0;

  constructor(max: number, log: (line: string) => void) {
    this._max = max;
    this._log = log;
  }

  get size(): number {
    return this._items.size;
  }

  // Closes the oldest when there is one too many; returns it.
  add(item: T): T | null {
    this._items.add(item);
    if (this._items.size <= this._max) return null;
    const oldest = this._items.values().next().value as T;
    this._items.delete(oldest);
    // The 1st, 100th, 200th…: a flood of connections must not flood the log.
    if (this._closed++ % 100 === 0)
      this._log(`more than ${this._max} incoming connections have not rung; closed the oldest (${this._closed} so far)`);
    oldest.close();
    return oldest;
  }

  remove(item: T): void {
    this._items.delete(item);
  }
}
