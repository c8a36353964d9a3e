import { describe, expect, it } from 'vitest';
import type { MediaPiece } from '../../../../native-host/node/calls/media-datagram';
import { MAX_AGE_MS, MAX_PENDING, PieceJoiner } from '../../../../native-host/node/calls/media-pieces';

const piece = (id: number, index: number, bytes: string, o: Partial<MediaPiece> = {}): MediaPiece => ({
  from: 49152,
  to: 49153,
  id,
  index,
  count: 2,
  payload: Buffer.from(bytes),
  ...o,
});

const text = (d: { payload: Uint8Array } | null) => (d === null ? null : Buffer.from(d.payload).toString());

describe('PieceJoiner', () => {
  it('hands on a payload once all its pieces are in, in either order, with its ports', () => {
    const j = new PieceJoiner();
    expect(j.add(piece(1, 0, 'hello '), 0)).toBeNull();
    expect(j.add(piece(1, 1, 'world'), 1)).toEqual({ from: 49152, to: 49153, payload: Buffer.from('hello world') });
    expect(j.add(piece(2, 1, 'second'), 2)).toBeNull();
    expect(text(j.add(piece(2, 0, 'first '), 3))).toBe('first second');
    expect(j.pending).toBe(0);
  });

  it('ignores a copy of a piece it has, and keeps payloads with different ids apart', () => {
    const j = new PieceJoiner();
    expect(j.add(piece(1, 0, 'a1'), 0)).toBeNull();
    expect(j.add(piece(1, 0, 'XX'), 0)).toBeNull();
    expect(j.add(piece(2, 0, 'b1'), 0)).toBeNull();
    expect(text(j.add(piece(2, 1, 'b2'), 0))).toBe('b1b2');
    expect(text(j.add(piece(1, 1, 'a2'), 0))).toBe('a1a2');
  });

  it('forgets a payload whose other piece is later than MAX_AGE_MS', () => {
    const j = new PieceJoiner();
    j.add(piece(1, 0, 'old'), 0);
    expect(j.add(piece(1, 1, 'new'), MAX_AGE_MS + 1)).toBeNull();
    expect(j.pending).toBe(1); // the late piece starts a payload of its own, which then ages out
    j.add(piece(9, 0, 'x'), 3 * MAX_AGE_MS);
    expect(j.pending).toBe(1);
  });

  it('holds at most MAX_PENDING payloads, dropping the oldest first', () => {
    const j = new PieceJoiner();
    for (let id = 0; id <= MAX_PENDING; id++) j.add(piece(id, 0, `p${id}-`), id);
    expect(j.pending).toBe(MAX_PENDING);
    expect(j.add(piece(0, 1, 'end'), 10)).toBeNull(); // id 0 was dropped: this starts anew
    expect(text(j.add(piece(MAX_PENDING, 1, 'end'), 10))).toBe(`p${MAX_PENDING}-end`);
  });

  it('a piece whose ports or count disagree with its id starts a new payload instead of joining', () => {
    const j = new PieceJoiner();
    j.add(piece(5, 0, 'ours'), 0);
    expect(j.add(piece(5, 1, 'theirs', { to: 40000 }), 0)).toBeNull();
    expect(j.add(piece(5, 0, 'from ', { to: 40000 }), 0)).toEqual({ from: 49152, to: 40000, payload: Buffer.from('from theirs') });
    j.add(piece(6, 0, 'a'), 0);
    expect(j.add(piece(6, 1, 'b', { count: 3 }), 0)).toBeNull();
    expect(j.pending).toBe(1);
  });
});
