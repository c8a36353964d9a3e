import { decodeNodeId } from '../node-id';
import type { CacheEntry, NameRecords } from './types';

// What comes back from a cache is re-checked like anything else we might dial: extension
// storage and the profile's cache file can be edited, truncated or written by an older
// version. An entry that fails any check is treated as absent.
export function checkedEntry(value: unknown): CacheEntry | null {
  if (typeof value !== 'object' || value === null) return null;
  const { records, verifiedAt } = value as { records?: unknown; verifiedAt?: unknown };
  if (typeof verifiedAt !== 'number' || !Number.isFinite(verifiedAt) || verifiedAt < 0) return null;
  if (typeof records !== 'object' || records === null) return null;
  const { nodeId, staexId } = records as { nodeId?: unknown; staexId?: unknown };
  if (!idOrNull(nodeId) || !idOrNull(staexId)) return null;
  return { records: { nodeId, staexId }, verifiedAt };
}

// An entry with no id at all records that the chain's last word was "nothing to dial"
// (not registered, no record, malformed record). It is never served as an answer; it only
// stops an older good entry from being served as a fallback after the name changed hands.
export function isTombstone(records: NameRecords): boolean {
  return records.nodeId === null && records.staexId === null;
}

export const TOMBSTONE: NameRecords = Object.freeze({ nodeId: null, staexId: null });

function idOrNull(v: unknown): v is string | null {
  if (v === null) return true;
  if (typeof v !== 'string') return false;
  try {
    decodeNodeId(v);
    return true;
  } catch {
    return false;
  }
}
