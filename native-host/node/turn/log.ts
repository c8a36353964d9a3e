// The server logs one line per class of rejected or malformed datagram, not one per
// datagram (lines carry no prefix: the node's log callback adds its own "turn:"): a misbehaving (or hostile) local process could otherwise flood the node's log at
// line rate. Keys are fixed class names chosen by the caller (never addresses or user
// input), so the table stays small.

export const LOG_INTERVAL_MS = 10_000;

interface Entry {
  last: number;
  suppressed: number;
}

export class RateLimitedLog {
  private readonly sink: ((line: string) => void) | undefined;
  private readonly now: () => number;
  private readonly interval: number;
  private readonly entries = new Map<string, Entry>();

  constructor(sink: ((line: string) => void) | undefined, now: () => number, intervalMs = LOG_INTERVAL_MS) {
    this.sink = sink;
    this.now = now;
    this.interval = intervalMs;
  }

  /** Emits `text` unless a line of the same class went out less than the interval ago. */
  line(key: string, text: string): void {
    if (!this.sink) return;
    const t = this.now();
    const entry = this.entries.get(key);
    if (entry && t - entry.last < this.interval) {
      entry.suppressed++;
      return;
    }
    const more = entry && entry.suppressed > 0 ? ` (${entry.suppressed} similar suppressed)` : '';
    this.entries.set(key, { last: t, suppressed: 0 });
    try {
      this.sink(`${text}${more}`);
    } catch {
      // A failing log sink must not take the relay down with it.
    }
  }

  /** Emits unconditionally (lifecycle events, once-per-allocation notices). */
  always(text: string): void {
    if (!this.sink) return;
    try {
      this.sink(text);
    } catch {
      // see line()
    }
  }
}
