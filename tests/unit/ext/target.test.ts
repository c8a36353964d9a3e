import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../../lib/ext/target';
import { ALICE, BOB } from './fixtures';

describe('parseTarget', () => {
  it('accepts a node id, tolerating spaces, capitals and look-alikes', () => {
    expect(parseTarget(BOB, ALICE)).toEqual({ ok: true, nodeId: BOB });
    expect(parseTarget(`  ${BOB.toUpperCase()}\n`, ALICE)).toEqual({ ok: true, nodeId: BOB });
    const withO = `${ALICE.slice(0, -1)}O`; // a capital O for the trailing zero
    expect(parseTarget(withO, null)).toEqual({ ok: true, nodeId: ALICE });
  });

  it('asks for something when empty', () => {
    expect(parseTarget('   ', ALICE)).toEqual({ ok: false, message: 'Type a node id to call.' });
  });

  it('says names are not there yet', () => {
    for (const name of ['bob.azero', 'bob.a0', 'Alice.tzero', 'www.example.com']) {
      expect(parseTarget(name, ALICE)).toEqual({ ok: false, message: 'Calling by name is not available yet; paste a node id.' });
    }
  });

  it('explains a malformed id with the decoder’s words', () => {
    expect(parseTarget('abc', ALICE)).toEqual({ ok: false, message: 'A node id has 52 characters, this one has 3.' });
    const badChar = `${BOB.slice(0, 10)}u${BOB.slice(11)}`;
    expect(parseTarget(badChar, ALICE)).toEqual({
      ok: false,
      message: 'Character "u" at position 11 is not allowed in a node id.',
    });
    expect(parseTarget(`${BOB.slice(0, -1)}1`, ALICE)).toEqual({ ok: false, message: 'The last character of a node id must be 0 or g.' });
  });

  it('refuses our own id', () => {
    expect(parseTarget(ALICE, ALICE)).toEqual({ ok: false, message: 'That is your own node id.' });
  });
});
