import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { checkedEntry } from '../../../lib/names/cache-entry';
import type { CacheEntry, ResolutionCache } from '../../../lib/names/types';

// The CLI's ResolutionCache: one JSON file in the profile folder, owner-only (it says who the
// user looks up). Each write re-reads the file and replaces it atomically (write a temporary
// file, rename), so two CLI runs at once lose at most each other's newest entry and a crash
// never leaves half a file. Whatever is read back is re-checked (lib/names/cache-entry.ts).

export const NAMES_CACHE_FILE = 'names-cache.json';
const VERSION = 1;
// A cache file larger than this was not written by us; ignore it (and replace it on write).
const MAX_FILE_BYTES = 1024 * 1024;
const KEY = /^[a-z0-9-]{1,32}\.(azero|tzero)$/;

interface FileShape {
  v: number;
  entries: Record<string, CacheEntry>;
}

export function namesCachePath(profileDir: string): string {
  return join(profileDir, NAMES_CACHE_FILE);
}

export class FileResolutionCache implements ResolutionCache {
  #writes: Promise<void> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly maxEntries = 500,
  ) {}

  async get(name: string): Promise<CacheEntry | null> {
    const entries = await this.#read();
    return Object.hasOwn(entries, name) ? checkedEntry(entries[name]) : null;
  }

  set(name: string, entry: CacheEntry): Promise<void> {
    if (!KEY.test(name)) return Promise.reject(new Error(`not a cache key: ${name}`));
    // Serialised within this process; each write starts from the file as it is now.
    const write = this.#writes.then(async () => {
      const entries = await this.#read();
      delete entries[name];
      entries[name] = { records: { ...entry.records }, verifiedAt: entry.verifiedAt };
      const keys = Object.keys(entries);
      // Insertion order is age order: the least recently written go first.
      for (const k of keys.slice(0, Math.max(0, keys.length - this.maxEntries))) delete entries[k];
      await this.#write({ v: VERSION, entries });
    });
    this.#writes = write.catch(() => undefined);
    return write;
  }

  async #read(): Promise<Record<string, CacheEntry>> {
    try {
      if ((await stat(this.path)).size > MAX_FILE_BYTES) return {};
      const parsed = JSON.parse(await readFile(this.path, 'utf8')) as Partial<FileShape>;
      if (parsed?.v !== VERSION || typeof parsed.entries !== 'object' || parsed.entries === null) return {};
      const out: Record<string, CacheEntry> = {};
      for (const [k, v] of Object.entries(parsed.entries)) {
        const e = KEY.test(k) ? checkedEntry(v) : null;
        if (e) out[k] = e;
      }
      return out;
    } catch {
      // Missing, unreadable or not JSON: an empty cache.
      return {};
    }
  }

  async #write(data: FileShape): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, `${JSON.stringify(data, null, 1)}\n`, { mode: 0o600 });
      // The mode above is masked by the umask on creation; make sure.
      await chmod(tmp, 0o600);
      await rename(tmp, this.path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }
}
