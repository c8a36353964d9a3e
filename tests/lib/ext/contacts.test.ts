import { describe, expect, it, vi } from 'vitest';
import {
  CONTACTS_KEY,
  type Contact,
  ContactsStore,
  addressOf,
  decodeContact,
  decodeContacts,
  findByNickname,
  randomId,
  validateContact,
} from '../../../lib/ext/contacts';
import { memoryArea } from '../../../lib/ext/storage';
import { parseName } from '../../../lib/names/name';
import { ALICE, BOB } from '../../../testkit/ext/fixtures';

function setup(initial: Record<string, unknown> = {}) {
  const area = memoryArea(initial);
  let n = 0;
  const store = new ContactsStore(area, parseName, () => `c${String(++n).padStart(7, '0')}`);
  return { area, store };
}

describe('validateContact', () => {
  it('takes a name or a node id in one box', () => {
    expect(validateContact({ nickname: ' Bob  Smith ', address: 'Bob.Azero' }, [], parseName)).toEqual({
      ok: true,
      fields: { nickname: 'Bob Smith', name: 'bob.azero', nodeId: null },
    });
    expect(validateContact({ nickname: 'Bob', address: ` ${BOB.toUpperCase()} ` }, [], parseName)).toEqual({
      ok: true,
      fields: { nickname: 'Bob', name: null, nodeId: BOB },
    });
  });

  it('says what is missing or wrong, per field', () => {
    expect(validateContact({ nickname: '', address: '' }, [], parseName)).toEqual({
      ok: false,
      errors: { nickname: 'Give the contact a nickname.', address: 'Give an AZERO.ID name (like bob.azero) or a node id.' },
    });
    expect(validateContact({ nickname: 'x'.repeat(65), address: 'abc' }, [], parseName)).toEqual({
      ok: false,
      errors: { nickname: 'A nickname has at most 64 characters.', address: 'A node id has 52 characters, this one has 3.' },
    });
    const r = validateContact({ nickname: 'Bob', address: 'bob.com' }, [], parseName);
    expect(r).toMatchObject({ ok: false, errors: { address: expect.stringMatching(/not an AZERO\.ID name/) } });
  });

  it('keeps nicknames unique, ignoring case', () => {
    const bob: Contact = { id: 'c0000001', nickname: 'Bob', name: 'bob.azero', nodeId: null, lastNodeId: null };
    expect(validateContact({ nickname: 'bob', address: ALICE }, [bob], parseName)).toEqual({
      ok: false,
      errors: { nickname: 'You already have a contact called "bob".' },
    });
    expect(findByNickname([bob], '  BOB ')).toBe(bob);
    expect(findByNickname([bob], '')).toBeNull();
  });
});

describe('ContactsStore', () => {
  it('adds, edits and deletes', async () => {
    const { area, store } = setup();
    const added = await store.add({ nickname: 'Bob', address: 'bob.azero' });
    expect(added).toEqual({ ok: true, contact: { id: 'c0000001', nickname: 'Bob', name: 'bob.azero', nodeId: null, lastNodeId: null } });
    await store.add({ nickname: 'Alice', address: ALICE });
    expect((await store.list()).map((c) => c.nickname)).toEqual(['Bob', 'Alice']);

    const edited = await store.update('c0000001', { nickname: 'Bobby', address: 'bob.azero' });
    expect(edited).toMatchObject({ ok: true, contact: { nickname: 'Bobby' } });
    await store.remove('c0000002');
    expect(area.data.get(CONTACTS_KEY)).toEqual([{ id: 'c0000001', nickname: 'Bobby', name: 'bob.azero', nodeId: null, lastNodeId: null }]);
  });

  it('writes nothing when the form has errors', async () => {
    const { area, store } = setup();
    expect(await store.add({ nickname: '', address: 'bob.azero' })).toMatchObject({ ok: false });
    expect(area.data.has(CONTACTS_KEY)).toBe(false);
  });

  it('remembers the node a name pointed to, and forgets it when the name changes', async () => {
    const { store } = setup();
    await store.add({ nickname: 'Bob', address: 'bob.azero' }, BOB);
    expect((await store.list())[0]?.lastNodeId).toBe(BOB);
    await store.seen('c0000001', ALICE);
    expect((await store.list())[0]?.lastNodeId).toBe(ALICE);
    await store.update('c0000001', { nickname: 'Bob', address: 'bob.azero' });
    expect((await store.list())[0]?.lastNodeId).toBe(ALICE); // same name: kept
    await store.update('c0000001', { nickname: 'Bob', address: 'robert.azero' });
    expect((await store.list())[0]?.lastNodeId).toBeNull();
    await expect(store.seen('c0000001', 'nope')).rejects.toThrow(/not a node id/);
  });

  it('a contact by node id has no last node id', async () => {
    const { store } = setup();
    await store.add({ nickname: 'Dora', address: BOB }, ALICE);
    expect((await store.list())[0]).toMatchObject({ nodeId: BOB, lastNodeId: null });
  });

  it('does not lose a change when two are made at once', async () => {
    const { store } = setup();
    await Promise.all([store.add({ nickname: 'A', address: 'a1.azero' }), store.add({ nickname: 'B', address: 'b1.azero' })]);
    expect((await store.list()).map((c) => c.nickname).sort()).toEqual(['A', 'B']);
  });

  it('leaves out damaged entries, keeps the rest, and says so', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const good = { id: 'c0000001', nickname: 'Bob', name: 'bob.azero', nodeId: null, lastNodeId: null };
    const { store } = setup({ [CONTACTS_KEY]: [good, { id: 'x', nickname: 'Evil' }, 'garbage'] });
    expect(await store.list()).toEqual([good]);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/contact 2: field "id" is malformed; contact 3: contact is not an object/));
    warn.mockRestore();
  });
});

describe('decodeContact', () => {
  const good = { id: 'c0000001', nickname: 'Bob', name: null, nodeId: BOB, lastNodeId: null };

  it.each([
    [{ ...good, id: 'UPPER' }, /"id" is malformed/],
    [{ ...good, nickname: '  ' }, /"nickname" is empty/],
    [{ ...good, nickname: 'n'.repeat(65) }, /"nickname" is longer than 64/],
    [{ ...good, nodeId: 'abc' }, /"nodeId" is malformed/],
    [{ ...good, lastNodeId: 5 }, /"lastNodeId" must be text/],
    [{ ...good, nodeId: null }, /needs a name or a node id/],
  ])('rejects %j clearly', (value, message) => {
    expect(() => decodeContact(value)).toThrow(message);
  });

  it('reads a list, dropping repeats of an id', () => {
    expect(decodeContacts({})).toEqual({ contacts: [], problems: ['the saved contacts are not a list'] });
    expect(decodeContacts([good, good])).toEqual({ contacts: [good], problems: ['contact 2: id c0000001 appears twice'] });
  });
});

describe('helpers', () => {
  it('shows the address a contact was saved with', () => {
    expect(addressOf({ name: 'bob.azero', nodeId: null })).toBe('bob.azero');
    expect(addressOf({ name: null, nodeId: BOB })).toBe(BOB);
  });

  it('makes ids the decoder accepts', () => {
    for (let i = 0; i < 20; i++) expect(() => decodeContact({ id: randomId(), nickname: 'x', nodeId: BOB })).not.toThrow();
  });
});
