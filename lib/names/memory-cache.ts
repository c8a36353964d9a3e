import type { CacheEntry, ResolutionCache } from './types';

// A ResolutionCache that lives as long as the object: for tests, and for a process that has
// nowhere to persist. Bounded, oldest-written first out.
export class MemoryResolutionCache implements ResolutionCache {
  readonly #entries = new Map<string, CacheEntry>();

  constructor(private readonly maxEntries = 1000) {}

  async get(name: string): Promise<CacheEntry | null> {
    const e = this.#entries.get(name);
    return e ? structuredClone(e) : null;
  }

  async set(name: string, entry: CacheEntry): Promise<void> {
    this.#entries.delete(name);
    this.#entries.set(name, structuredClone(entry));
    while (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }
}
