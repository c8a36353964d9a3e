import { ResolveError } from './errors';

// A bounded SCALE reader for contract answers. It exists (instead of @polkadot/types) so
// that every length is checked against the bytes actually present before anything is
// allocated, every encoding must be canonical, and every failure is a coded CHAIN_ERROR:
// the answer comes from a remote node we do not trust to be sane.

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export class ScaleReader {
  #at = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.#at;
  }

  u8(what: string): number {
    if (this.remaining < 1) throw short(what);
    return this.bytes[this.#at++]!;
  }

  take(n: number, what: string): Uint8Array {
    if (n > this.remaining) throw short(what);
    const out = this.bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  // SCALE compact integer, canonical form only (the shortest mode that holds the value, as
  // parity-scale-codec itself insists). Values beyond 2^48 cannot be lengths of anything
  // that fits in an answer, so they are refused rather than carried as BigInt.
  compact(what: string): number {
    const b0 = this.u8(what);
    switch (b0 & 3) {
      case 0:
        return b0 >> 2;
      case 1: {
        const v = (b0 | (this.u8(what) << 8)) >> 2;
        if (v < 1 << 6) throw bad(`${what}: non-canonical compact length`);
        return v;
      }
      case 2: {
        const b = this.take(3, what);
        const v = ((b0 | (b[0]! << 8) | (b[1]! << 16) | (b[2]! << 24)) >>> 2) >>> 0;
        if (v < 1 << 14) throw bad(`${what}: non-canonical compact length`);
        return v;
      }
      default: {
        const n = (b0 >> 2) + 4;
        if (n > 6) throw bad(`${what}: length is impossibly large`);
        const b = this.take(n, what);
        if (b[n - 1] === 0) throw bad(`${what}: non-canonical compact length`);
        let v = 0;
        for (let i = n - 1; i >= 0; i--) v = v * 256 + b[i]!;
        if (v < 2 ** 30) throw bad(`${what}: non-canonical compact length`);
        return v;
      }
    }
  }

  // SCALE String: compact byte length, then UTF-8. Invalid UTF-8 is an error, never replaced
  // by U+FFFD (that would turn two different records into the same text).
  string(what: string): string {
    const len = this.compact(what);
    const raw = this.take(len, what);
    try {
      return UTF8.decode(raw);
    } catch {
      throw bad(`${what} is not valid UTF-8 text`);
    }
  }

  end(what: string): void {
    if (this.remaining !== 0) throw bad(`${this.remaining} unexpected byte(s) after ${what}`);
  }
}

function short(what: string): ResolveError {
  return bad(`the answer ends in the middle of ${what}`);
}

export function bad(why: string): ResolveError {
  return ResolveError.chain(why);
}
