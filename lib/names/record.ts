import { CopybaraError } from '../errors';
import { NODE_ID_LENGTH, decodeNodeId } from '../node-id';
import { ResolveError } from './errors';
import type { NameRecords } from './types';

// Turning a name's records into node ids. Whatever is stored under a key was written by
// whoever controls the name, with whatever tool; we dial the result, so the rule is strict:
// the value (white space aside) must be exactly one canonical node id, or it is an error.
// No look-alike repair (o -> 0, upper case) as for ids people paste: a record that needs
// repair was not written by Copybara, and guessing could dial a different key.

// The embedded network's (HyperDHT) node id. Stable: changing it orphans every published name.
export const NODE_ID_RECORD_KEY = 'copybara-id';
// A Staex network node id (the original Copybara's key).
export const STAEX_ID_RECORD_KEY = 'staex-id';

// Checked before trimming or scanning, so a record of megabytes costs nothing. Room for a
// node id with generous white space around it.
export const MAX_RECORD_LENGTH = 256;

export function nodeIdFromRecord(value: unknown, name: string, key: string): string {
  if (typeof value !== 'string') throw ResolveError.malformed(name, key, 'it is not text');
  if (value.length > MAX_RECORD_LENGTH) {
    throw ResolveError.malformed(name, key, `it is ${value.length} characters long; a node id has ${NODE_ID_LENGTH}`);
  }
  const id = value.trim();
  if (id === '') throw ResolveError.malformed(name, key, 'it is empty');
  if (/^0x/i.test(id)) {
    throw ResolveError.malformed(
      name,
      key,
      'it is hex (0x…), probably written as bytes by a polkadot.js tool; a node id is 52 letters and digits',
    );
  }
  try {
    decodeNodeId(id);
  } catch (err) {
    if (err instanceof CopybaraError) throw ResolveError.malformed(name, key, err.detail);
    throw err;
  }
  return id;
}

// All of a name's records -> the node ids we use. Other keys (avatar, twitter, …) are ignored.
export function recordsFromAll(all: ReadonlyArray<readonly [string, string]>, name: string): NameRecords {
  return {
    nodeId: pick(all, name, NODE_ID_RECORD_KEY),
    staexId: pick(all, name, STAEX_ID_RECORD_KEY),
  };
}

function pick(all: ReadonlyArray<readonly [string, string]>, name: string, key: string): string | null {
  const values = all.filter(([k]) => k === key).map(([, v]) => v);
  if (values.length === 0) return null;
  // The registry keeps keys unique; two entries means we are not reading what we think.
  if (values.length > 1) throw ResolveError.malformed(name, key, `the name has ${values.length} ${key} records`);
  return nodeIdFromRecord(values[0], name, key);
}
