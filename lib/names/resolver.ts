import { decodeAddress } from '@polkadot/util-crypto';
import { TOMBSTONE, checkedEntry, isTombstone } from './cache-entry';
import { DEFAULT_ENDPOINTS, DEFAULT_REGISTRY, GENESIS_HASH, type RegistryChoice } from './chains';
import { endpointProblem } from './endpoint';
import { ChainConnection } from './connection';
import { ResolveError } from './errors';
import { MemoryResolutionCache } from './memory-cache';
import { cacheKey, parseName } from './name';
import { NODE_ID_RECORD_KEY, STAEX_ID_RECORD_KEY, recordsFromAll } from './record';
import { decodeGetAllRecords, decodeGetOwner, encodeGetAllRecords, encodeGetOwner, encodeGetRegistry } from './registry-codec';
import { decodedAt, registryFromRouter } from './contract-call';
import type { CacheEntry, Chain, ChainEndpoints, NameRecords, ParsedName, Resolution, ResolutionCache } from './types';
import { bounded, throwIfCancelled } from './wait';

// Name -> node ids, for the extension's service worker and the node's CLI alike: nothing
// here needs Node built-ins; the only I/O is the WebSocket polkadot.js opens.
//
// Order of business: check the name (no network for a typo); a cached answer younger than
// the TTL is returned at once; otherwise ask the chain; if the chain cannot answer, an older
// cached answer is returned marked `fromCache`. An answer the chain did give (even "not
// registered") always wins over the cache, and errors never fall back to guessing.

export interface NameResolverOptions {
  // Ordered per chain; the next is tried when one cannot be reached.
  endpoints?: Partial<ChainEndpoints>;
  // Registry address per chain, or `{ router }` to ask that router `get_registry(tld)`.
  registries?: Partial<Record<Chain, RegistryChoice>>;
  cache?: ResolutionCache;
  // The genesis hash each chain's endpoints must serve (default: the real chains', pinned in
  // chains.ts). An endpoint of another chain is refused with CHAIN_ERROR naming it.
  genesisHashes?: Partial<Record<Chain, string>>;
  ttlMs?: number;
  // Per endpoint: how long opening a connection (socket + metadata) may take.
  connectTimeoutMs?: number;
  // How long one contract query may take on an open connection.
  queryTimeoutMs?: number;
  // Close a chain's connection after this long without lookups.
  idleCloseMs?: number;
  // The oldest cached answer still offered when the chain is unreachable (default: any age;
  // the answer carries its verifiedAt for the caller to show or judge).
  maxStaleMs?: number;
  now?: () => number;
}

export const DEFAULT_TTL_MS = 10 * 60_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_CLOSE_MS = 60_000;

type Registry = { kind: 'registry'; address: string } | { kind: 'router'; address: string };

export class NameResolver {
  readonly #endpoints: ChainEndpoints;
  readonly #registries: Record<Chain, Registry>;
  readonly #cache: ResolutionCache;
  readonly #genesis: Record<Chain, string>;
  readonly #ttlMs: number;
  readonly #connectTimeoutMs: number;
  readonly #queryTimeoutMs: number;
  readonly #idleCloseMs: number;
  readonly #maxStaleMs: number;
  readonly #now: () => number;
  readonly #connections = new Map<Chain, ChainConnection>();
  // Registry addresses learnt from routers, per chain and TLD.
  readonly #routed = new Map<string, Promise<string>>();
  // One chain lookup per name at a time; concurrent callers share it.
  readonly #inflight = new Map<string, Promise<CacheEntry>>();

  constructor(opts: NameResolverOptions = {}) {
    this.#endpoints = {
      azero: [...(opts.endpoints?.azero ?? DEFAULT_ENDPOINTS.azero)],
      tzero: [...(opts.endpoints?.tzero ?? DEFAULT_ENDPOINTS.tzero)],
    };
    for (const [chain, list] of Object.entries(this.#endpoints)) {
      if (list.length === 0) throw new Error(`no endpoint for ${chain}`);
      for (const url of list) {
        const problem = endpointProblem(url);
        if (problem) throw new Error(`endpoint refused: ${problem}`);
      }
    }
    this.#registries = {
      azero: registryOf(opts.registries?.azero ?? DEFAULT_REGISTRY.azero),
      tzero: registryOf(opts.registries?.tzero ?? DEFAULT_REGISTRY.tzero),
    };
    this.#cache = opts.cache ?? new MemoryResolutionCache();
    this.#genesis = {
      azero: genesisOf(opts.genesisHashes?.azero ?? GENESIS_HASH.azero),
      tzero: genesisOf(opts.genesisHashes?.tzero ?? GENESIS_HASH.tzero),
    };
    this.#ttlMs = nonNegative(opts.ttlMs ?? DEFAULT_TTL_MS, 'ttlMs');
    this.#connectTimeoutMs = timerMs(opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 'connectTimeoutMs');
    this.#queryTimeoutMs = timerMs(opts.queryTimeoutMs ?? this.#connectTimeoutMs, 'queryTimeoutMs');
    this.#idleCloseMs = timerMs(opts.idleCloseMs ?? DEFAULT_IDLE_CLOSE_MS, 'idleCloseMs');
    this.#maxStaleMs = nonNegative(opts.maxStaleMs ?? Number.POSITIVE_INFINITY, 'maxStaleMs');
    this.#now = opts.now ?? Date.now;
  }

  async resolve(input: string, signal?: AbortSignal): Promise<Resolution> {
    throwIfCancelled(signal);
    const name = parseName(input);
    const key = cacheKey(name);
    const cached = await bounded(this.#readCache(key), { signal });
    const now = this.#now();
    if (cached && !isTombstone(cached.records) && cached.verifiedAt <= now && now - cached.verifiedAt < this.#ttlMs) {
      return { name, records: cached.records, verifiedAt: cached.verifiedAt, fromCache: false, source: 'cache' };
    }

    let fresh: CacheEntry;
    try {
      fresh = await bounded(this.#lookupShared(name, key), { signal });
    } catch (err) {
      const e = err instanceof ResolveError ? err : ResolveError.chain(err instanceof Error ? err.message : String(err));
      if (e.code === 'CHAIN_UNREACHABLE' || e.code === 'CHAIN_ERROR') {
        if (cached && !isTombstone(cached.records) && this.#now() - cached.verifiedAt <= this.#maxStaleMs) {
          return {
            name,
            records: cached.records,
            verifiedAt: cached.verifiedAt,
            fromCache: true,
            source: 'stale-cache',
            staleReason: e.message,
          };
        }
      }
      throw e;
    }
    return { name, records: fresh.records, verifiedAt: fresh.verifiedAt, fromCache: false, source: 'chain' };
  }

  // Release every connection now (they also close themselves when idle). The resolver stays
  // usable: a later resolve() reconnects.
  async close(): Promise<void> {
    const all = [...this.#connections.values()];
    this.#connections.clear();
    this.#routed.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  // The shared lookup also writes the cache, so an answer is kept even when every caller
  // waiting for it has been cancelled.
  #lookupShared(name: ParsedName, key: string): Promise<CacheEntry> {
    let p = this.#inflight.get(key);
    if (!p) {
      p = this.#lookup(name).then(
        async (records) => {
          const entry = { records, verifiedAt: this.#now() };
          await this.#writeCache(key, entry);
          return entry;
        },
        async (err: unknown) => {
          // The chain's own word replaces whatever we knew; failures to ask it do not.
          if (
            ResolveError.is(err) &&
            (err.code === 'NAME_NOT_REGISTERED' || err.code === 'NO_NODE_ID' || err.code === 'RECORD_MALFORMED')
          ) {
            await this.#forgetGoodAnswer(key);
          }
          throw err;
        },
      );
      const settled = p.finally(() => this.#inflight.delete(key));
      settled.catch(() => undefined);
      this.#inflight.set(key, p);
    }
    return p;
  }

  async #lookup(name: ParsedName): Promise<NameRecords> {
    const conn = this.#connection(name.chain);
    const registry = await this.#registryAddress(conn, name);
    // Both in one round trip. get_all_records cannot tell "not registered" from "no records"
    // (the registry answers an empty list for both, and for expired names); get_owner can.
    const [all, owner] = await Promise.all([
      conn.call(registry, encodeGetAllRecords(name.label)),
      conn.call(registry, encodeGetOwner(name.label)),
    ]);
    const ownerOut = decodedAt(owner.endpoint, () => decodeGetOwner(owner));
    const allOut = decodedAt(all.endpoint, () => decodeGetAllRecords(all));
    for (const out of [ownerOut, allOut]) {
      if (out.kind === 'lang') {
        throw ResolveError.chain(
          `the contract at ${registry} could not read our request (${out.error}); is it the AZERO.ID registry?`,
          owner.endpoint,
        );
      }
    }
    if (ownerOut.kind === 'err') {
      if (ownerOut.error === 'NameDoesntExist') throw ResolveError.notRegistered(name.full);
      throw ResolveError.chain(`the registry refused to name the owner of ${name.full} (${ownerOut.error})`, owner.endpoint);
    }
    if (allOut.kind !== 'ok')
      throw ResolveError.chain(`the registry refused to list the records of ${name.full} (${allOut.error})`, all.endpoint);
    const records = recordsFromAll(allOut.value, name.full);
    if (isTombstone(records)) throw ResolveError.noNodeId(name.full, `${NODE_ID_RECORD_KEY} or ${STAEX_ID_RECORD_KEY}`);
    return records;
  }

  async #registryAddress(conn: ChainConnection, name: ParsedName): Promise<string> {
    const choice = this.#registries[name.chain];
    if (choice.kind === 'registry') return choice.address;
    const key = `${name.chain}:${name.tld}`;
    let p = this.#routed.get(key);
    if (!p) {
      p = conn
        .call(choice.address, encodeGetRegistry(name.tld))
        .then((out) => registryFromRouter(out, choice.address, name.tld, out.endpoint));
      // Remember only success: a failed ask is retried by the next lookup.
      p.catch(() => this.#routed.delete(key));
      this.#routed.set(key, p);
    }
    return p;
  }

  #connection(chain: Chain): ChainConnection {
    let c = this.#connections.get(chain);
    if (!c) {
      c = new ChainConnection({
        endpoints: this.#endpoints[chain],
        genesisHash: this.#genesis[chain],
        connectTimeoutMs: this.#connectTimeoutMs,
        queryTimeoutMs: this.#queryTimeoutMs,
        idleCloseMs: this.#idleCloseMs,
      });
      this.#connections.set(chain, c);
    }
    return c;
  }

  // A broken cache must not break resolution: it reads as empty and writes are best effort.
  async #readCache(key: string): Promise<CacheEntry | null> {
    try {
      return checkedEntry(await this.#cache.get(key));
    } catch {
      return null;
    }
  }

  // A "no" is recorded only where it replaces a "yes" for the same name (so that "yes" is no
  // longer offered when the chain is unreachable), which never adds an entry. Any other "no"
  // is not kept at all: it would never be served, and every ring claims a name the node
  // looks up, so a stranger ringing with 1,000 made-up names would otherwise push every
  // good answer out of the bounded cache, the ones needed when the chain is offline.
  async #forgetGoodAnswer(key: string): Promise<void> {
    const cached = await this.#readCache(key);
    if (cached && !isTombstone(cached.records)) await this.#writeCache(key, { records: TOMBSTONE, verifiedAt: this.#now() });
  }

  async #writeCache(key: string, entry: CacheEntry): Promise<void> {
    try {
      await this.#cache.set(key, entry);
    } catch {
      // best effort
    }
  }
}

function registryOf(choice: RegistryChoice): Registry {
  const address = typeof choice === 'string' ? choice : choice.router;
  try {
    decodeAddress(address);
  } catch {
    throw new Error(`"${address}" is not a valid account address`);
  }
  return typeof choice === 'string' ? { kind: 'registry', address } : { kind: 'router', address };
}

function genesisOf(hash: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(hash)) throw new Error(`"${hash.slice(0, 80)}" is not a genesis hash (0x and 64 hex digits)`);
  return hash.toLowerCase();
}

function nonNegative(v: number, what: string): number {
  if (Number.isNaN(v) || v < 0) throw new Error(`${what} must be a non-negative number of milliseconds`);
  return v;
}

// Timers take at most 2^31-1 ms; beyond that setTimeout fires at once.
function timerMs(v: number, what: string): number {
  if (!Number.isFinite(v) || v < 0 || v > 2_147_483_647) throw new Error(`${what} must be 0 to 2147483647 milliseconds`);
  return v;
}
