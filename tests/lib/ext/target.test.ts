import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../lib/ext/contacts';
import { contactTarget, parseTarget } from '../../../lib/ext/target';
import { parseName } from '../../../lib/names/name';
import { ALICE, BOB } from '../../../testkit/ext/fixtures';

const BOB_CONTACT: Contact = { id: 'c0000001', nickname: 'Bob', name: 'bob.azero', nodeId: null, lastNodeId: BOB };
const ID_CONTACT: Contact = { id: 'c0000002', nickname: 'Dora', name: null, nodeId: BOB, lastNodeId: null };
const parse = (input: string, own: string | null = ALICE, contacts: Contact[] = []) => parseTarget(input, own, contacts, parseName);

describe('parseTarget', () => {
  it('accepts a node id, tolerating spaces, capitals and look-alikes', () => {
    expect(parse(BOB)).toEqual({ ok: true, kind: 'node', nodeId: BOB, contact: null });
    expect(parse(`  ${BOB.toUpperCase()}\n`)).toEqual({ ok: true, kind: 'node', nodeId: BOB, contact: null });
    const withO = `${ALICE.slice(0, -1)}O`; // a capital O for the trailing zero
    expect(parse(withO, null)).toEqual({ ok: true, kind: 'node', nodeId: ALICE, contact: null });
  });

  it('asks for something when empty', () => {
    expect(parse('   ')).toEqual({ ok: false, message: "Type a name, a node id or a contact's nickname." });
  });

  it('takes AZERO.ID names, in canonical form', () => {
    expect(parse(' Bob.AZERO ')).toMatchObject({ ok: true, kind: 'name', name: { full: 'bob.azero', chain: 'azero' }, contact: null });
    expect(parse('bob.a0')).toMatchObject({ ok: true, kind: 'name', name: { full: 'bob.a0', chain: 'azero' } });
    expect(parse('carol.tzero')).toMatchObject({ ok: true, kind: 'name', name: { chain: 'tzero' } });
  });

  it('says why a name is not one', () => {
    expect(parse('www.example.com')).toEqual({ ok: false, message: expect.stringMatching(/not an AZERO\.ID name.*\.com/) });
    expect(parse('bob..azero')).toEqual({ ok: false, message: expect.stringMatching(/sub-names are not supported/) });
    expect(parse('bob.')).toEqual({ ok: false, message: expect.stringMatching(/not a valid name/) });
  });

  it('calls a contact by nickname, and a contact’s name as that contact', () => {
    expect(parse('bob', ALICE, [BOB_CONTACT])).toMatchObject({ ok: true, kind: 'name', name: { full: 'bob.azero' }, contact: BOB_CONTACT });
    expect(parse('bob.azero', ALICE, [BOB_CONTACT])).toMatchObject({ kind: 'name', contact: BOB_CONTACT });
    expect(parse('  dora ', ALICE, [ID_CONTACT])).toEqual({ ok: true, kind: 'node', nodeId: BOB, contact: ID_CONTACT });
  });

  it('explains a malformed id with the decoder’s words', () => {
    expect(parse('abc')).toEqual({ ok: false, message: '"abc" is not a contact, a name (like bob.azero) or a node id.' });
    expect(parse(BOB.slice(0, 40))).toEqual({ ok: false, message: 'A node id has 52 characters, this one has 40.' });
    const badChar = `${BOB.slice(0, 10)}u${BOB.slice(11)}`;
    expect(parse(badChar)).toEqual({ ok: false, message: 'Character "u" at position 11 is not allowed in a node id.' });
    expect(parse(`${BOB.slice(0, -1)}1`)).toEqual({ ok: false, message: 'The last character of a node id must be 0 or g.' });
  });

  it('refuses our own id', () => {
    expect(parse(ALICE)).toEqual({ ok: false, message: 'That is your own node id.' });
  });
});

describe('contactTarget', () => {
  it('falls back to the node id when a stored name no longer parses', () => {
    const broken: Contact = { ...BOB_CONTACT, name: 'bob..azero', nodeId: null };
    expect(contactTarget(broken, ALICE, parseName)).toEqual({ ok: true, kind: 'node', nodeId: BOB, contact: broken });
    expect(contactTarget({ ...broken, lastNodeId: null }, ALICE, parseName)).toMatchObject({ ok: false });
    expect(contactTarget(ID_CONTACT, BOB, parseName)).toEqual({ ok: false, message: 'Dora is your own node.' });
  });
});
