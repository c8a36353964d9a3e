import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkedEntry } from '../../../lib/names/cache-entry';
import { MemoryResolutionCache } from '../../../lib/names/memory-cache';
import { encodeNodeId } from '../../../lib/node-id';
import { FileResolutionCache, namesCachePath } from '../../../native-host/node/names/file-cache';
import { ago, formatResolution } from '../../../native-host/commands/resolve';

const ID = encodeNodeId(new Uint8Array(32).fill(3));
const entry = (verifiedAt = 1000) => ({ records: { nodeId: ID, staexId: null }, verifiedAt });

describe('checkedEntry', () => {
  it('passes a good entry and refuses anything odd', () => {
    expect(checkedEntry(entry())).toEqual(entry());
    for (const bad of [
      null,
      'x',
      { records: { nodeId: ID, staexId: null } },
      { records: { nodeId: ID, staexId: null }, verifiedAt: Number.NaN },
      { records: { nodeId: ID, staexId: null }, verifiedAt: -1 },
      { records: { nodeId: ID.toUpperCase(), staexId: null }, verifiedAt: 1 },
      { records: { nodeId: `0x${'00'.repeat(32)}`, staexId: null }, verifiedAt: 1 },
      { records: { nodeId: ID }, verifiedAt: 1 },
      { records: null, verifiedAt: 1 },
    ]) {
      expect(checkedEntry(bad)).toBeNull();
    }
  });
});

describe('MemoryResolutionCache', () => {
  it('stores copies and evicts the oldest', async () => {
    const c = new MemoryResolutionCache(2);
    const e = entry();
    await c.set('a.azero', e);
    e.records.nodeId = 'changed';
    expect((await c.get('a.azero'))?.records.nodeId).toBe(ID);
    await c.set('b.azero', entry());
    await c.set('c.azero', entry());
    expect(await c.get('a.azero')).toBeNull();
    expect(c.size).toBe(2);
  });
});

describe('FileResolutionCache', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'copybara-names-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips through an owner-only JSON file, across instances', async () => {
    const path = namesCachePath(join(dir, 'profile'));
    await new FileResolutionCache(path).set('bob.azero', entry(1234));
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'profile'))).mode & 0o777).toBe(0o700);
    expect(await new FileResolutionCache(path).get('bob.azero')).toEqual(entry(1234));
    expect(await new FileResolutionCache(path).get('carol.azero')).toBeNull();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ v: 1, entries: { 'bob.azero': entry(1234) } });
  });

  it('keeps concurrent writes of one process', async () => {
    const c = new FileResolutionCache(join(dir, 'c.json'));
    await Promise.all(['a', 'b', 'c', 'd'].map((l, i) => c.set(`${l}.azero`, entry(i))));
    for (const [i, l] of ['a', 'b', 'c', 'd'].entries()) expect(await c.get(`${l}.azero`)).toEqual(entry(i));
  });

  it('reads a missing, corrupt, foreign or tampered file as empty, and recovers on write', async () => {
    const path = join(dir, 'c.json');
    const c = new FileResolutionCache(path);
    expect(await c.get('bob.azero')).toBeNull();
    await writeFile(path, '{not json');
    expect(await c.get('bob.azero')).toBeNull();
    await writeFile(path, JSON.stringify({ v: 2, entries: { 'bob.azero': entry() } }));
    expect(await c.get('bob.azero')).toBeNull();
    await writeFile(
      path,
      JSON.stringify({ v: 1, entries: { 'bob.azero': { records: { nodeId: 'evil', staexId: null }, verifiedAt: 1 }, 'x y': entry() } }),
    );
    expect(await c.get('bob.azero')).toBeNull();
    await writeFile(path, 'x'.repeat(1024 * 1024 + 1));
    expect(await c.get('bob.azero')).toBeNull();
    await c.set('bob.azero', entry(5));
    expect(await c.get('bob.azero')).toEqual(entry(5));
  });

  it('is bounded', async () => {
    const c = new FileResolutionCache(join(dir, 'c.json'), 3);
    for (const l of ['a', 'b', 'c', 'd']) await c.set(`${l}.azero`, entry());
    expect(await c.get('a.azero')).toBeNull();
    expect(await c.get('d.azero')).not.toBeNull();
  });

  it('refuses keys that are not canonical names', async () => {
    await expect(new FileResolutionCache(join(dir, 'c.json')).set('../x', entry())).rejects.toThrow(/not a cache key/);
  });
});

describe('CLI output', () => {
  const name = { label: 'bob', tld: 'azero', chain: 'azero' as const, full: 'bob.azero' };
  it('formats fresh, cached and stale answers', () => {
    const now = Date.UTC(2025, 0, 1, 12);
    expect(
      formatResolution({ name, records: { nodeId: ID, staexId: null }, verifiedAt: now, fromCache: false, source: 'chain' }, now),
    ).toBe(`copybara-id ${ID}\nverified just now\n`);
    expect(
      formatResolution({ name, records: { nodeId: ID, staexId: ID }, verifiedAt: now - 180_000, fromCache: false, source: 'cache' }, now),
    ).toBe(`copybara-id ${ID}\nstaex-id ${ID}\nverified 3 min ago (cached)\n`);
    expect(
      formatResolution(
        {
          name,
          records: { nodeId: null, staexId: ID },
          verifiedAt: now - 7_200_000,
          fromCache: true,
          source: 'stale-cache',
          staleReason: 'down',
        },
        now,
      ),
    ).toBe(`staex-id ${ID}\nfrom cache, last verified 2025-01-01T10:00:00.000Z (2 h ago): down\n`);
  });

  it('says how long ago in words', () => {
    expect([0, 4_999, 30_000, 90_000, 3 * 3_600_000, 72 * 3_600_000].map(ago)).toEqual([
      'just now',
      'just now',
      '30 s ago',
      '2 min ago',
      '3 h ago',
      '3 days ago',
    ]);
  });
});
