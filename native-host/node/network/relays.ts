// Which blind relay private mode uses next. Pure: the relays known, what happened with each, and
// the time are passed in, so every ordering rule is testable without a network or a clock.

export interface RelayEntry {
  // The relay's public key, hex (the form HyperDHT takes, as a Buffer, once chosen).
  key: string;
  // Given by the user (`--relay`, or the backend's option): preferred over relays found by topic.
  pinned: boolean;
  // How long the relay took to answer when last probed; null: never measured.
  rttMs: number | null;
  // Failures since it last worked, and when the last one was.
  failures: number;
  failedAt: number | null;
}

// A failed relay sits behind every healthy one for a while, doubling with each failure in a row,
// so one that is down is not retried on every call, yet comes back once it may have recovered.
export const DEMOTE_BASE_MS = 60_000;
export const DEMOTE_MAX_MS = 60 * 60_000;

export function demotedUntil(entry: RelayEntry): number | null {
  if (entry.failedAt === null || entry.failures === 0) return null;
  return entry.failedAt + Math.min(DEMOTE_MAX_MS, DEMOTE_BASE_MS * 2 ** (entry.failures - 1));
}

function isDemoted(entry: RelayEntry, now: number): boolean {
  const until = demotedUntil(entry);
  return until !== null && now < until;
}

// Best first: healthy before demoted; among those, pinned before found; then the fastest to
// answer (unmeasured last). Among demoted ones, the one whose demotion ends first leads.
export function rankRelays(entries: readonly RelayEntry[], now: number): RelayEntry[] {
  return [...entries].sort((a, b) => {
    const da = isDemoted(a, now);
    const db = isDemoted(b, now);
    if (da !== db) return da ? 1 : -1;
    if (da && db) return demotedUntil(a)! - demotedUntil(b)!;
    if (a.pinned !== b.pinned) return a.pinned ? -1 : 1;
    return (a.rttMs ?? Infinity) - (b.rttMs ?? Infinity);
  });
}

export function pinnedEntries(keys: readonly string[]): RelayEntry[] {
  return keys.map((key) => ({ key, pinned: true, rttMs: null, failures: 0, failedAt: null }));
}

// Merges relays found by a lookup (key → how fast it answered) into what is known: a known relay
// keeps its history and takes the new time; a new one is added. Relays no longer found stay
// (pinned ones must, and a found one may be missing from one lookup only by chance).
export function mergeFound(entries: readonly RelayEntry[], found: ReadonlyMap<string, number | null>): RelayEntry[] {
  const out = entries.map((e) => (found.has(e.key) ? { ...e, rttMs: found.get(e.key) ?? e.rttMs } : e));
  for (const [key, rttMs] of found) {
    if (!entries.some((e) => e.key === key)) out.push({ key, pinned: false, rttMs, failures: 0, failedAt: null });
  }
  return out;
}

// Marks exactly `pinnedKeys` pinned (adding those not known yet); relays no longer pinned stay
// as found ones, keeping their history.
export function repin(entries: readonly RelayEntry[], pinnedKeys: readonly string[]): RelayEntry[] {
  const pinned = new Set(pinnedKeys);
  const out = entries.map((e) => ({ ...e, pinned: pinned.has(e.key) }));
  for (const key of pinned) if (!entries.some((e) => e.key === key)) out.push(...pinnedEntries([key]));
  return out;
}

export function recordFailure(entries: readonly RelayEntry[], key: string, now: number): RelayEntry[] {
  return entries.map((e) => (e.key === key ? { ...e, failures: e.failures + 1, failedAt: now } : e));
}

export function recordSuccess(entries: readonly RelayEntry[], key: string): RelayEntry[] {
  return entries.map((e) => (e.key === key ? { ...e, failures: 0, failedAt: null } : e));
}

// Whether a relay a caller asks us to answer through may be used instead of our own pick: only one
// the person pinned (a relay found by the topic may be the caller's own, which would then learn our
// address) and that has not failed lately.
export function acceptsOffer(entries: readonly RelayEntry[], key: string, now: number): boolean {
  const entry = entries.find((e) => e.key === key);
  return entry !== undefined && entry.pinned && !isDemoted(entry, now);
}

// The relay to use now, or null when none is known.
export function chooseRelay(entries: readonly RelayEntry[], now: number): string | null {
  return rankRelays(entries, now)[0]?.key ?? null;
}
