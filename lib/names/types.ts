// The contract between name resolution (lib/names/) and its users: the extension's
// background worker, the node's CLI and the call layer.

import type { FamilyCode } from '../errors';

export type Chain = 'azero' | 'tzero';

export interface ParsedName {
  // The label without TLD, as the registry contract takes it: `alice` for `alice.azero`.
  label: string;
  // The TLD as typed: azero, a0 or tzero.
  tld: string;
  chain: Chain;
  // Canonical form shown to users: `alice.azero` (a0 is kept as typed).
  full: string;
}

// Node ids a name points to, one per network.
export interface NameRecords {
  // The embedded network (HyperDHT) node id, from the record key NODE_ID_RECORD_KEY.
  nodeId: string | null;
  // A Staex network node id, from the record key `staex-id`.
  staexId: string | null;
}

export interface Resolution {
  name: ParsedName;
  records: NameRecords;
  // When the chain last confirmed these records (ms since epoch).
  verifiedAt: number;
  // True when the chain could not be reached and the answer came from the cache.
  fromCache: boolean;
  // Where the answer came from (added; optional so existing producers stay valid):
  // 'chain' just now, 'cache' a cached answer still within its TTL (fromCache false: it
  // counts as verified), 'stale-cache' the chain failed and an older answer was used
  // (fromCache true).
  source?: ResolutionSource;
  // With 'stale-cache': why the chain could not give a fresh answer, in words.
  staleReason?: string;
}

export type ResolutionSource = 'chain' | 'cache' | 'stale-cache';

// The names family of lib/errors.ts: NAME_INVALID (says why), TLD_UNSUPPORTED,
// NAME_NOT_REGISTERED (or expired), NO_NODE_ID, RECORD_MALFORMED, CHAIN_UNREACHABLE (names
// the endpoint), CHAIN_ERROR (the chain answered nonsense), CANCELLED, and the background's
// own CHECK_TIMEOUT and CACHED_MISMATCH.
export type ResolveErrorCode = FamilyCode<'names'>;

export interface CacheEntry {
  records: NameRecords;
  verifiedAt: number;
}

// Where answers are kept between runs: extension storage in the browser, a file for the CLI.
export interface ResolutionCache {
  get(name: string): Promise<CacheEntry | null>;
  set(name: string, entry: CacheEntry): Promise<void>;
}

export interface ChainEndpoints {
  azero: string[];
  tzero: string[];
}
