import { describe, expect, it } from 'vitest';
import { BLOCKED_KEY, BlockedStore, MAX_BLOCKED, decodeBlocked, ringPolicy } from '../../../lib/ext/blocked';
import type { Contact } from '../../../lib/ext/contacts';
import { memoryArea } from '../../../lib/ext/storage';

const A = 'a'.repeat(51) + '0';
const B = 'b'.repeat(51) + '0';
const C = 'c'.repeat(51) + '0';
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const keyOf = (i: number) => [...i.toString(32).padStart(51, '0')].map((d) => ALPHABET[parseInt(d, 32)]).join('') + '0';
const contact = (over: Partial<Contact>): Contact => ({
  id: 'abcdefgh',
  nickname: 'x',
  name: null,
  nodeId: null,
  lastNodeId: null,
  ...over,
});

describe('BlockedStore', () => {
  it('blocks and unblocks node ids, each once, normalised', async () => {
    const area = memoryArea();
    const store = new BlockedStore(area);
    await store.block(A.toUpperCase());
    await store.block(A);
    await store.block(B);
    expect(await store.list()).toEqual([A, B]);
    await store.unblock(A);
    expect(area.data.get(BLOCKED_KEY)).toEqual([B]);
  });

  it('refuses what is not a node id, in words', async () => {
    await expect(new BlockedStore(memoryArea()).block('bob.azero')).rejects.toThrow(/not a node id/);
  });

  it('keeps two quick blocks from two pages', async () => {
    const area = memoryArea();
    await new BlockedStore(area).block(A);
    const store = new BlockedStore(area);
    await Promise.all([store.block(B), store.block(C)]);
    expect(await store.list()).toEqual([A, B, C]);
  });

  it('reads damaged storage as what can be read, and stops at the cap', async () => {
    expect(decodeBlocked('nope')).toEqual([]);
    expect(decodeBlocked([A, 42, 'x', A, B])).toEqual([A, B]);
    const many = Array.from({ length: MAX_BLOCKED }, (_, i) => keyOf(i));
    const store = new BlockedStore(memoryArea({ [BLOCKED_KEY]: many }));
    await expect(store.block(A)).rejects.toThrow(/at most 500 callers/);
  });
});

describe('ringPolicy', () => {
  const contacts = [contact({ nodeId: A }), contact({ name: 'bob.azero', lastNodeId: B }), contact({ name: 'new.azero' })];
  const off = { onlyContactsRing: false, directWithContacts: false, relays: [] };

  it('lets anyone but the blocked ring by default, and connects with nobody directly', () => {
    expect(ringPolicy(off, contacts, [C])).toEqual({ blocked: [C], allowOnly: null, direct: [], relays: [] });
  });

  it('with only contacts: their node ids and their names’ last node ids, never a blocked one', () => {
    const only = { ...off, onlyContactsRing: true };
    expect(ringPolicy(only, contacts, [])).toMatchObject({ blocked: [], allowOnly: [A, B] });
    expect(ringPolicy(only, contacts, [B])).toMatchObject({ blocked: [B], allowOnly: [A] });
    expect(ringPolicy(only, [], [])).toMatchObject({ blocked: [], allowOnly: [] });
  });

  it('with direct connections allowed: the same contact keys, never a blocked one; pinned relays passed on', () => {
    const relay = 'y'.repeat(51) + 'g';
    expect(ringPolicy({ ...off, directWithContacts: true, relays: [relay] }, contacts, [B])).toEqual({
      blocked: [B],
      allowOnly: null,
      direct: [A],
      relays: [relay],
    });
  });
});
