import type { MediaDatagram, MediaPiece } from './media-datagram';

// Joins the pieces of media payloads too big for one datagram (media-datagram.ts). They come
// over an unreliable path, in any order or not at all, from a peer that is not trusted: a
// payload is handed on once all its pieces are in, and forgotten when it is older than
// MAX_AGE_MS or when MAX_PENDING newer ones wait. What one peer can make a call hold is
// MAX_PENDING payloads of at most MAX_SPLIT_PAYLOAD bytes.

// A DTLS flight that has not come together in this time is retransmitted by the browser anyway.
export const MAX_AGE_MS = 1000;
export const MAX_PENDING = 4;

interface Pending {
  from: number;
  to: number;
  count: number;
  pieces: (Uint8Array | undefined)[];
  have: number;
  at: number;
}

export class PieceJoiner {
  private _pending = new Map<number, Pending>();

  get pending(): number {
    return this._pending.size;
  }

  // The whole payload once `piece` completes it, else null. Keeps a reference to the piece's
  // bytes until then: overlay datagrams each live in memory of their own.
  add(piece: MediaPiece, now: number): MediaDatagram | null {
    for (const [id, p] of this._pending) if (now - p.at > MAX_AGE_MS) this._pending.delete(id);
    let p = this._pending.get(piece.id);
    // Ids wrap after 256 payloads: one that names other ports or another count is a new payload.
    if (p && (p.from !== piece.from || p.to !== piece.to || p.count !== piece.count)) {
      this._pending.delete(piece.id);
      p = undefined;
    }
    if (!p) {
      if (this._pending.size >= MAX_PENDING) this._pending.delete(this._pending.keys().next().value!);
      p = { from: piece.from, to: piece.to, count: piece.count, pieces: new Array<Uint8Array | undefined>(piece.count), have: 0, at: now };
      this._pending.set(piece.id, p);
    }
    // A copy of a piece already in changes nothing.
    if (p.pieces[piece.index] !== undefined) return null;
    p.pieces[piece.index] = piece.payload;
    if (++p.have < p.count) return null;
    this._pending.delete(piece.id);
    return { from: p.from, to: p.to, payload: Buffer.concat(p.pieces as Uint8Array[]) };
  }
}
