import { afterEach, describe, expect, it, vi } from 'vitest';
import { RelayChooser, keepDiscovering } from '../../../../native-host/node/network/relay-finder';
import { DEMOTE_BASE_MS } from '../../../../native-host/node/network/relays';

// The chooser's bookkeeping; lookup and probing run against a testnet in tests/integration/relay.test.ts.
const A = Buffer.alloc(32, 0xaa);
const B = Buffer.alloc(32, 0xbb);
const C = Buffer.alloc(32, 0xcc);

describe('RelayChooser', () => {
  it('picks the first pinned relay, moves past it when it fails and back when it works', () => {
    let now = 5_000_000;
    const chooser = new RelayChooser([A, B], () => now);
    expect(chooser.pick()).toEqual(A);
    chooser.failed(A);
    expect(chooser.pick()).toEqual(B);
    // B failing too: A's demotion ends first, so A is tried again before B.
    chooser.failed(B);
    expect(chooser.pick()).toEqual(A);
    now += DEMOTE_BASE_MS;
    expect(chooser.pick()).toEqual(A);
    chooser.worked(A);
    expect(chooser.entries.find((e) => e.key === A.toString('hex'))).toMatchObject({ failures: 0, failedAt: null });
    expect(chooser.entries.find((e) => e.key === B.toString('hex'))).toMatchObject({ failures: 1 });
  });

  it("accepts a caller's offer of a pinned relay that is not failing", () => {
    const chooser = new RelayChooser([A]);
    expect(chooser.acceptsOffer(A)).toBe(true);
    expect(chooser.acceptsOffer(B)).toBe(false);
    chooser.failed(A);
    expect(chooser.acceptsOffer(A)).toBe(false);
  });

  it('has no relay before any is pinned or found, and feedback about an unknown relay changes nothing', () => {
    const chooser = new RelayChooser([]);
    expect(chooser.pick()).toBeNull();
    chooser.failed(A);
    chooser.worked(A);
    expect(chooser.entries).toEqual([]);
  });

  it('wakes a dial waiting for a relay only when one is known, and lets an abort end the wait', async () => {
    expect(await new RelayChooser([A]).waitForRelay(new AbortController().signal)).toBe(true);
    const empty = new RelayChooser([]);
    const abort = new AbortController();
    const waiting = empty.waitForRelay(abort.signal);
    abort.abort();
    expect(await waiting).toBe(false);
  });
});

describe('keepDiscovering', () => {
  afterEach(() => vi.useRealTimers());

  // Runs lookups that find `C` from the given round on; returns how many rounds ran by each time.
  function discoverer(chooser: RelayChooser, findsFromRound: number) {
    let rounds = 0;
    const discover = () => {
      rounds++;
      if (rounds >= findsFromRound) chooser.found(new Map([[C.toString('hex'), 5]]));
      return Promise.resolve(rounds >= findsFromRound ? 1 : 0);
    };
    return { discover, rounds: () => rounds };
  }

  it('looks again soon while only pinned relays are known, and rarely once one is found', async () => {
    vi.useFakeTimers();
    const chooser = new RelayChooser([A]);
    const d = discoverer(chooser, 3);
    const stop = keepDiscovering(d.discover, chooser, () => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(d.rounds()).toBe(1);
    // A pinned relay alone is no reason to wait ten minutes: 2 s, then 4 s.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(d.rounds()).toBe(2);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(d.rounds()).toBe(3);
    expect(chooser.entries.map((e) => e.pinned)).toEqual([true, false]);
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    expect(d.rounds()).toBe(3);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(d.rounds()).toBe(4);
    stop();
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(d.rounds()).toBe(4);
  });
});
