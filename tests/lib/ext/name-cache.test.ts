import { describe, expect, it } from 'vitest';
import { MAX_ENTRIES, NAME_CACHE_KEY, StorageNameCache } from '../../../lib/ext/name-cache';
import { memoryArea } from '../../../lib/ext/storage';
import { ALICE, BOB } from '../../../testkit/ext/fixtures';

const entry = (nodeId: string | null, verifiedAt = 1000) => ({ records: { nodeId, staexId: null }, verifiedAt });

describe('StorageNameCache', () => {
  it('keeps answers in storage between runs', async () => {
    const area = memoryArea();
    await new StorageNameCache(area).set('bob.azero', entry(BOB));
    const again = new StorageNameCache(area); // a restarted worker
    expect(await again.get('bob.azero')).toEqual(entry(BOB));
    expect(await again.get('alice.azero')).toBeNull();
    expect(area.data.get(NAME_CACHE_KEY)).toEqual({ 'bob.azero': entry(BOB) });
  });

  it('replaces an entry, and keeps "nothing to dial" records too', async () => {
    const cache = new StorageNameCache(memoryArea());
    await cache.set('bob.azero', entry(BOB, 1));
    await cache.set('bob.azero', entry(null, 2));
    expect(await cache.get('bob.azero')).toEqual(entry(null, 2));
  });

  it('reads damaged storage as not cached', async () => {
    const area = memoryArea({
      [NAME_CACHE_KEY]: {
        'a.azero': entry('not-an-id'),
        'b.azero': { records: { nodeId: BOB, staexId: null }, verifiedAt: -5 },
        'c.azero': 'garbage',
        'd.azero': entry(ALICE),
      },
    });
    const cache = new StorageNameCache(area);
    for (const name of ['a.azero', 'b.azero', 'c.azero', '__proto__', 'constructor']) expect(await cache.get(name)).toBeNull();
    expect(await cache.get('d.azero')).toEqual(entry(ALICE));
    expect(await new StorageNameCache(memoryArea({ [NAME_CACHE_KEY]: [1, 2] })).get('0')).toBeNull();
  });

  it('refuses to write what it could not read back', async () => {
    const cache = new StorageNameCache(memoryArea());
    await expect(cache.set('bob.azero', entry('zzz'))).rejects.toThrow(/not a cache entry/);
    await expect(cache.set('', entry(BOB))).rejects.toThrow(/not a cache entry/);
  });

  it('stays bounded, keeping the most recently verified', async () => {
    const area = memoryArea();
    const cache = new StorageNameCache(area);
    const seeded: Record<string, unknown> = {};
    for (let i = 0; i < MAX_ENTRIES; i++) seeded[`n${i}.azero`] = entry(BOB, 10 + i);
    await area.set(NAME_CACHE_KEY, seeded);
    await cache.set('new.azero', entry(ALICE, 1_000_000));
    const stored = area.data.get(NAME_CACHE_KEY) as Record<string, unknown>;
    expect(Object.keys(stored)).toHaveLength(MAX_ENTRIES);
    expect(stored['n0.azero']).toBeUndefined(); // the oldest went
    expect(await cache.get('new.azero')).toEqual(entry(ALICE, 1_000_000));
  });

  it('does not lose a write when two happen at once', async () => {
    const cache = new StorageNameCache(memoryArea());
    await Promise.all([cache.set('a.azero', entry(ALICE)), cache.set('b.azero', entry(BOB))]);
    expect(await cache.get('a.azero')).toEqual(entry(ALICE));
    expect(await cache.get('b.azero')).toEqual(entry(BOB));
  });
});
