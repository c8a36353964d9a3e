// Input generation for scripts/fuzz.ts: a seeded PRNG (the same seed gives the same inputs
// on every machine), byte-level damage for binary decoders, and structure-aware damage for
// JSON decoders (random bytes in JSON text mostly stop at JSON.parse, which is not the
// decoder under test).

export type Rng = () => number; // [0, 2^32)

// xorshift32, seeded through a string hash so each target gets its own stream.
export function rng(seed: string): Rng {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  let x = h >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const below = (r: Rng, n: number) => (n <= 0 ? 0 : r() % n);
const pick = <T>(r: Rng, list: readonly T[]): T => list[below(r, list.length)]!;
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x3f, 0x40, 0xfe, 0xfc, 0x03];

function randomBytes(r: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() & 0xff;
  return out;
}

// One to four stacked edits of `seed`; `other` is another seed to splice from.
export function mutateBytes(r: Rng, seed: Uint8Array, other: Uint8Array): Uint8Array {
  let d: Uint8Array = Uint8Array.from(seed);
  for (let n = 1 + below(r, 4); n > 0; n--) {
    const at = below(r, d.length + 1);
    switch (below(r, 9)) {
      case 0: // overwrite a byte
        if (d.length > 0) d[below(r, d.length)] = r() & 0xff;
        break;
      case 1: // flip a bit
        if (d.length > 0) d[below(r, d.length)]! ^= 1 << below(r, 8);
        break;
      case 2: // an interesting byte (length-like edges)
        if (d.length > 0) d[below(r, d.length)] = pick(r, INTERESTING);
        break;
      case 3: // cut the tail
        d = d.subarray(0, at);
        break;
      case 4: // append random bytes
        d = concat(d, randomBytes(r, 1 + below(r, 16)));
        break;
      case 5: // insert random bytes
        d = concat(d.subarray(0, at), randomBytes(r, 1 + below(r, 8)), d.subarray(at));
        break;
      case 6: // delete a range
        d = concat(d.subarray(0, at), d.subarray(Math.min(d.length, at + 1 + below(r, 8))));
        break;
      case 7: // duplicate a range
        d = concat(d.subarray(0, at), d.subarray(at, at + 1 + below(r, 32)), d.subarray(at));
        break;
      default: // splice in part of another seed
        d = concat(d.subarray(0, at), other.subarray(below(r, other.length)));
    }
  }
  return d;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const STRINGS = [
  '',
  ' ',
  'x',
  '0',
  '-1',
  'null',
  '__proto__',
  'constructor',
  'toString',
  '\u202e',
  '\u0000',
  '\ud800',
  '😀',
  'ws://x',
  'wss://*',
  'a'.repeat(300),
];
const NUMBERS = [0, -0, 1, -1, 0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e308, -1e308, 5e-324, 65535, 65536];

function randomString(r: Rng): string {
  if (below(r, 3) === 0) return pick(r, STRINGS);
  const n = below(r, 5) === 0 ? below(r, 2000) : below(r, 40);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(below(r, 4) === 0 ? below(r, 0x10000) : 0x20 + below(r, 0x5f));
  return s;
}

function randomJson(r: Rng, depth: number): Json {
  switch (below(r, depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return below(r, 2) === 0;
    case 2:
      return below(r, 2) === 0 ? pick(r, NUMBERS) : below(r, 1000) - 500;
    case 3:
    case 4:
      return randomString(r);
    case 5:
      return Array.from({ length: below(r, 4) }, () => randomJson(r, depth + 1));
    default: {
      const o: Record<string, Json> = {};
      for (let i = below(r, 4); i > 0; i--) o[randomString(r).slice(0, 12)] = randomJson(r, depth + 1);
      return o;
    }
  }
}

// One to three edits somewhere in a copy of `seed`: replace a value (by a random one, or by
// a value found elsewhere in `other`), delete or add a key or element, or wrap a value.
export function mutateJson(r: Rng, seed: Json, other: Json): Json {
  let root = structuredClone(seed);
  for (let n = 1 + below(r, 3); n > 0; n--) {
    const donor = () => (below(r, 2) === 0 ? randomJson(r, 0) : structuredClone(anyNode(r, other)));
    const { parent, key } = anyPlace(r, root);
    if (parent === null) {
      root = below(r, 4) === 0 ? donor() : root;
      continue;
    }
    const edit = below(r, 5);
    if (Array.isArray(parent)) {
      const i = Number(key);
      if (edit === 0) parent.splice(i, 1);
      else if (edit === 1) parent.splice(i, 0, donor());
      else if (edit === 2) parent[i] = [parent[i]!];
      else parent[i] = donor();
    } else {
      if (edit === 0) delete parent[key];
      else if (edit === 1) parent[below(r, 2) === 0 ? randomString(r).slice(0, 12) : pick(r, STRINGS)] = donor();
      else if (edit === 2) parent[key] = { [key]: parent[key] ?? null };
      else parent[key] = donor();
    }
  }
  return root;
}

type Place = { parent: Json[] | { [key: string]: Json } | null; key: string };

// A uniformly chosen edge of the tree (or the root), by reservoir sampling.
function anyPlace(r: Rng, root: Json): Place {
  let chosen: Place = { parent: null, key: '' };
  let seen = 1;
  const walk = (node: Json) => {
    if (node === null || typeof node !== 'object') return;
    for (const key of Object.keys(node)) {
      seen++;
      if (below(r, seen) === 0) chosen = { parent: node, key };
      walk((node as Record<string, Json>)[key]!);
    }
  };
  walk(root);
  return chosen;
}

function anyNode(r: Rng, root: Json): Json {
  const { parent, key } = anyPlace(r, root);
  return parent === null ? root : (parent as Record<string, Json>)[key]!;
}

export type { Json };
