import { describe, expect, it } from 'vitest';
import {
  DEMOTE_BASE_MS,
  DEMOTE_MAX_MS,
  acceptsOffer,
  chooseRelay,
  demotedUntil,
  mergeFound,
  pinnedEntries,
  rankRelays,
  recordFailure,
  recordSuccess,
} from '../../../../native-host/node/network/relays';

const T0 = 1_000_000;
const keys = (list: { key: string }[]) => list.map((e) => e.key);

describe('a relay a caller offers', () => {
  it('is taken only if pinned here and not failing lately', () => {
    const entries = mergeFound(pinnedEntries(['p1', 'p2']), new Map([['found', 10]]));
    expect(acceptsOffer(entries, 'p2', T0)).toBe(true);
    expect(acceptsOffer(entries, 'found', T0)).toBe(false);
    expect(acceptsOffer(entries, 'unknown', T0)).toBe(false);
    const failed = recordFailure(entries, 'p2', T0);
    expect(acceptsOffer(failed, 'p2', T0 + 1)).toBe(false);
    expect(acceptsOffer(failed, 'p2', T0 + DEMOTE_BASE_MS)).toBe(true);
  });
});

describe('relay selection', () => {
  it('prefers pinned relays, then found ones fastest first, unmeasured last', () => {
    const found = new Map<string, number | null>([
      ['slow', 300],
      ['unmeasured', null],
      ['fast', 20],
    ]);
    const entries = mergeFound(pinnedEntries(['p1', 'p2']), found);
    // Pinned ones keep the user's order while neither is measured.
    expect(keys(rankRelays(entries, T0))).toEqual(['p1', 'p2', 'fast', 'slow', 'unmeasured']);
    expect(chooseRelay(entries, T0)).toBe('p1');
  });

  it('puts a failed relay behind every healthy one until its demotion ends', () => {
    let entries = mergeFound(pinnedEntries(['pinned']), new Map([['found', 50]]));
    entries = recordFailure(entries, 'pinned', T0);
    expect(chooseRelay(entries, T0 + 1)).toBe('found');
    expect(chooseRelay(entries, T0 + DEMOTE_BASE_MS - 1)).toBe('found');
    expect(chooseRelay(entries, T0 + DEMOTE_BASE_MS)).toBe('pinned');
  });

  it('doubles the demotion with each failure in a row, up to a cap, and forgets it on success', () => {
    let entries = pinnedEntries(['r']);
    entries = recordFailure(entries, 'r', T0);
    entries = recordFailure(entries, 'r', T0);
    entries = recordFailure(entries, 'r', T0);
    expect(demotedUntil(entries[0]!)).toBe(T0 + 4 * DEMOTE_BASE_MS);
    for (let i = 0; i < 20; i++) entries = recordFailure(entries, 'r', T0);
    expect(demotedUntil(entries[0]!)).toBe(T0 + DEMOTE_MAX_MS);
    entries = recordSuccess(entries, 'r');
    expect(demotedUntil(entries[0]!)).toBeNull();
    expect(entries[0]!.failures).toBe(0);
  });

  it('still offers a demoted relay when every relay is demoted, the soonest back first', () => {
    let entries = pinnedEntries(['a', 'b']);
    entries = recordFailure(entries, 'a', T0);
    entries = recordFailure(entries, 'a', T0);
    entries = recordFailure(entries, 'b', T0 + 10);
    expect(keys(rankRelays(entries, T0 + 20))).toEqual(['b', 'a']);
  });

  it('keeps what it knows of a relay found again, and relays missing from a lookup', () => {
    let entries = mergeFound([], new Map([['x', 100]]));
    entries = recordFailure(entries, 'x', T0);
    entries = mergeFound(entries, new Map([['x', 40]]));
    expect(entries).toEqual([{ key: 'x', pinned: false, rttMs: 40, failures: 1, failedAt: T0 }]);
    entries = mergeFound(entries, new Map([['y', null]]));
    expect(keys(entries)).toEqual(['x', 'y']);
  });

  it('has nothing to choose without relays', () => {
    expect(chooseRelay([], T0)).toBeNull();
  });
});
