import { describe, expect, it } from 'vitest';
import { NAME_DISPLAY_MAX, displayName } from '../../../lib/names/display';

// Anything that would change how a shown name reads, or what else is on screen with it.
// Control characters are exactly what this looks for.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\u2028\u2029\ufeff]/u;

describe('displayName', () => {
  it('keeps an ordinary name as it is', () => {
    expect(displayName('alice.azero')).toBe('alice.azero');
    expect(displayName('zoë-😀.azero')).toBe('zoë-😀.azero');
  });

  it('drops the right-to-left override, so the letters show in the order they were sent', () => {
    expect(displayName('\u202eorez\u0061.ecila')).toBe('oreza.ecila');
    expect(displayName('bob\u202e.azero\u202c')).toBe('bob.azero');
  });

  it('drops the bidi isolates U+2066-2069 and the marks U+200E/U+200F', () => {
    expect(displayName('\u2066a\u2067b\u2068c\u2069d')).toBe('abcd');
    expect(displayName('\u200eleft\u200fright')).toBe('leftright');
  });

  it('turns newlines, tabs and runs of white space into single spaces', () => {
    expect(displayName('alice\nbob')).toBe('alice bob');
    expect(displayName('  alice\r\n\n\tbob  ')).toBe('alice bob');
    expect(displayName('a\u2028b\u2029c')).toBe('a b c');
    // Removing an invisible character between two spaces leaves one space, not two.
    expect(displayName('a \u200b b')).toBe('a b');
  });

  it('drops zero-width and other control characters', () => {
    expect(displayName('ali\u200bce\u200c.\u200dazero\ufeff\u2060')).toBe('alice.azero');
    expect(displayName('a\u0000b\u0007c\u001bd\u007fe\u0085f')).toBe('abcdef');
  });

  it('caps piles of combining marks', () => {
    expect(displayName(`a${'\u0301'.repeat(50)}b`)).toBe(`a${'\u0301'.repeat(3)}b`);
  });

  it('cuts a 253-character name to 64 characters ending in an ellipsis', () => {
    const long = `${'a'.repeat(247)}.azero`;
    expect(long).toHaveLength(253);
    const shown = displayName(long);
    expect(Array.from(shown)).toHaveLength(NAME_DISPLAY_MAX);
    expect(shown).toBe(`${'a'.repeat(63)}…`);
    expect(displayName('😀'.repeat(70))).toBe(`${'😀'.repeat(63)}…`); // counted in characters, not halves
    expect(displayName('abcdef', 4)).toBe('abc…');
  });

  it('leaves nothing forbidden in any mix of the above', () => {
    const evil = `\u202e\u2066${'x\u200b\n\t\u0000'.repeat(80)}\u2069\u200f\ufeff`;
    const shown = displayName(evil);
    expect(shown).not.toMatch(FORBIDDEN);
    expect(Array.from(shown).length).toBeLessThanOrEqual(NAME_DISPLAY_MAX);
  });
});
