import { checkedEntry } from '../names/cache-entry';
import type { CacheEntry, ResolutionCache } from '../names/types';
import { type KeyValueArea, SerialQueue } from './storage';

// The resolver's cache (lib/names ResolutionCache) kept in extension storage, so a name
// once resolved can still be called when the chain cannot be reached. One storage key holds all entries; the oldest go beyond MAX_ENTRIES.
// What comes back from storage is checked: a damaged entry reads as "not cached".

export const NAME_CACHE_KEY = 'nameCache';
export const MAX_ENTRIES = 1000;
const MAX_NAME = 256;

type Stored = Record<string, CacheEntry>;

// Entries are checked with lib/names' own rule (ids must decode), both ways.
export const decodeCacheEntry: (value: unknown) => CacheEntry | null = checkedEntry;

export class StorageNameCache implements ResolutionCache {
  private readonly area: KeyValueArea;
  private readonly queue = new SerialQueue();

  constructor(area: KeyValueArea) {
    this.area = area;
  }

  async get(name: string): Promise<CacheEntry | null> {
    const all = await this.read();
    return Object.hasOwn(all, name) ? decodeCacheEntry(all[name]) : null;
  }

  async set(name: string, entry: CacheEntry): Promise<void> {
    const clean = decodeCacheEntry(entry);
    if (!clean || name.length === 0 || name.length > MAX_NAME) throw new TypeError(`not a cache entry for "${name.slice(0, 64)}"`);
    await this.queue.run(async () => {
      const all = await this.read();
      delete all[name];
      all[name] = clean;
      await this.area.set(NAME_CACHE_KEY, trim(all));
    });
  }

  private async read(): Promise<Stored> {
    const value = await this.area.get(NAME_CACHE_KEY);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
    // A plain object without a prototype, so a name like "__proto__" is just a key.
    return Object.assign(Object.create(null) as Stored, value);
  }
}

// Keeps the MAX_ENTRIES most recently verified entries, dropping damaged ones.
function trim(all: Stored): Stored {
  const entries = Object.entries(all)
    .map(([name, v]) => [name, decodeCacheEntry(v)] as const)
    .filter((e): e is readonly [string, CacheEntry] => e[1] !== null)
    .sort((a, b) => b[1].verifiedAt - a[1].verifiedAt)
    .slice(0, MAX_ENTRIES);
  const out = Object.create(null) as Stored;
  for (const [name, entry] of entries) out[name] = entry;
  return out;
}
