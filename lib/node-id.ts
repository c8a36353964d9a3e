import { CopybaraError } from './errors';

// Node ids are 32-byte public keys written as 52 characters of lower-case Crockford base32
// without padding; 52 * 5 = 260 bits, so the last character carries 4 zero bits and can
// only be '0' or 'g' (the form Staex node ids take).
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const DECODE = new Map<string, number>([...ALPHABET].map((c, i) => [c, i]));

export const NODE_ID_LENGTH = 52;
export const NODE_ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{51}[0g]$/;

export function encodeNodeId(key: Uint8Array): string {
  if (key.length !== 32) throw CopybaraError.BAD_NODE_ID(`a node key is 32 bytes, got ${key.length}`);
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of key) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

export function decodeNodeId(text: string): Uint8Array {
  if (typeof text !== 'string') throw CopybaraError.BAD_NODE_ID('a node id is text');
  if (text.length !== NODE_ID_LENGTH) {
    throw CopybaraError.BAD_NODE_ID(`a node id has ${NODE_ID_LENGTH} characters, this one has ${text.length}`);
  }
  const out = new Uint8Array(32);
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const v = DECODE.get(text[i]!);
    if (v === undefined) {
      throw CopybaraError.BAD_NODE_ID(`character ${JSON.stringify(text[i])} at position ${i + 1} is not allowed in a node id`);
    }
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (n < 32) out[n++] = (acc >>> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  // Canonical form only: the 4 spare bits must be zero, so one key has exactly one text.
  if (acc !== 0) throw CopybaraError.BAD_NODE_ID('the last character of a node id must be 0 or g');
  return out;
}

export function isNodeId(text: string): boolean {
  return typeof text === 'string' && NODE_ID_PATTERN.test(text);
}

// Users paste ids from chats: tolerate surrounding white space and upper case, and read
// Crockford's look-alikes (o -> 0, i/l -> 1) the way the alphabet intends.
export function normaliseNodeId(input: string): string {
  return input.trim().toLowerCase().replace(/o/g, '0').replace(/[il]/g, '1');
}

export function shortNodeId(id: string): string {
  return `${id.slice(0, 4)}…${id.slice(-4)}`;
}
