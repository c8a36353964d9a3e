import { getSupportedTLDs, sanitizeDomain, SupportedChainId } from '@azns/resolver-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResolveError } from '../../../lib/names/errors';
import { cacheKey, parseName } from '../../../lib/names/name';

function fails(input: unknown): ResolveError {
  try {
    parseName(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ResolveError);
    return err as ResolveError;
  }
  throw new Error(`${JSON.stringify(input)} was accepted`);
}

describe('parseName: accepted', () => {
  it.each([
    ['bob.azero', 'bob', 'azero', 'azero', 'bob.azero'],
    ['bob.a0', 'bob', 'a0', 'azero', 'bob.a0'],
    ['bob.tzero', 'bob', 'tzero', 'tzero', 'bob.tzero'],
    ['  Bob.AZERO \n', 'bob', 'azero', 'azero', 'bob.azero'],
    ['\u3000bob.azero\u00a0', 'bob', 'azero', 'azero', 'bob.azero'], // Unicode spaces are trimmed
    ['BOB.A0', 'bob', 'a0', 'azero', 'bob.a0'],
    ['a.azero', 'a', 'azero', 'azero', 'a.azero'], // short reserved names exist
    ['my-name-2.azero', 'my-name-2', 'azero', 'azero', 'my-name-2.azero'],
    ['0xford.azero', '0xford', 'azero', 'azero', '0xford.azero'], // not hex: fine
    ['xn--bcher-kva.azero', 'xn--bcher-kva', 'azero', 'azero', 'xn--bcher-kva.azero'],
    [`${'a'.repeat(32)}.azero`, 'a'.repeat(32), 'azero', 'azero', `${'a'.repeat(32)}.azero`],
  ])('%j', (input, label, tld, chain, full) => {
    expect(parseName(input)).toEqual({ label, tld, chain, full });
  });

  it('keys bob.a0 and bob.azero to one cache entry, bob.tzero to another', () => {
    expect(cacheKey(parseName('bob.a0'))).toBe('bob.azero');
    expect(cacheKey(parseName('bob.azero'))).toBe('bob.azero');
    expect(cacheKey(parseName('bob.tzero'))).toBe('bob.tzero');
  });
});

describe('parseName: refused, with words', () => {
  it.each([
    ['', 'NAME_INVALID', /empty/],
    ['   ', 'NAME_INVALID', /empty/],
    ['bob', 'NAME_INVALID', /ends in \.azero, \.a0 or \.tzero/],
    ['bob.', 'NAME_INVALID', /ends with a dot/],
    ['.azero', 'NAME_INVALID', /part before \.azero is empty/],
    ['bob.eth', 'TLD_UNSUPPORTED', /"\.eth" is not one of \.azero, \.a0 or \.tzero/],
    ['bob.dot', 'TLD_UNSUPPORTED', /not an AZERO.ID name/],
    ['bob.azero.', 'NAME_INVALID', /ends with a dot/],
    ['alice.bob.azero', 'NAME_INVALID', /sub-names/],
    ['bob..azero', 'NAME_INVALID', /sub-names/],
    ['-bob.azero', 'NAME_INVALID', /start or end with "-"/],
    ['bob-.azero', 'NAME_INVALID', /start or end with "-"/],
    ['bo b.azero', 'NAME_INVALID', /a space \(U\+0020\)/],
    ['bob_1.azero', 'NAME_INVALID', /"_" \(U\+005F\) is not allowed/],
    ['bob!.azero', 'NAME_INVALID', /"!" \(U\+0021\)/],
    ['bob\u0000.azero', 'NAME_INVALID', /a control character \(U\+0000\)/],
    ['b\u200bob.azero', 'NAME_INVALID', /an invisible character \(U\+200B\)/],
    [`${'a'.repeat(33)}.azero`, 'NAME_INVALID', /33 characters before \.azero; AZERO.ID names have at most 32/],
    ['0x.azero', 'NAME_INVALID', /looks like hex bytes/],
    ['0xdead.azero', 'NAME_INVALID', /looks like hex bytes/],
    ['0XDEAD.azero', 'NAME_INVALID', /looks like hex bytes/],
    ['0xabc.a0', 'NAME_INVALID', /looks like hex bytes/],
  ])('%j -> %s', (input, code, words) => {
    const e = fails(input);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(words);
  });

  it('refuses non-text', () => {
    for (const v of [null, undefined, 42, {}, ['bob.azero']]) expect(fails(v).code).toBe('NAME_INVALID');
  });

  it('refuses a pasted megabyte before looking at it', () => {
    const e = fails(`${'a'.repeat(1_000_000)}.azero`);
    expect(e.message).toMatch(/longer than 256 characters/);
    expect(e.message.length).toBeLessThan(200); // the input is echoed shortened
  });
});

describe('parseName: Unicode', () => {
  it.each([
    ['bób.azero', '"ó" (U+00F3)'], // composed
    ['bo\u0301b.azero', '"ó" (U+00F3)'], // decomposed: NFC gives the same message
    ['ｂｏｂ.azero', '"ｂ" (U+FF42)'], // fullwidth: not folded to ASCII (no NFKC)
    ['\u212Aate.azero', '"\u212A" (U+212A)'], // Kelvin sign: NFC and toLowerCase() both make it K/k
    ['b\u0131b.azero', '"ı" (U+0131)'], // dotless i
    ['bоb.azero', '"о" (U+043E)'], // Cyrillic o, looks like Latin o
    ['😀.azero', '"😀" (U+1F600)'],
    ['straße.azero', '"ß" (U+00DF)'],
  ])('%j is refused, naming %s', (input, what) => {
    const e = fails(input);
    expect(e.code).toBe('NAME_INVALID');
    expect(e.message).toContain(what);
    expect(e.message).toMatch(/only a-z, 0-9 and "-"/);
  });

  it('reads a fullwidth TLD as unsupported rather than folding it', () => {
    expect(fails('bob.ａｚｅｒｏ').code).toBe('TLD_UNSUPPORTED');
  });

  it('upper-cases only ASCII (İ stays refused)', () => {
    expect(fails('\u0130bob.azero').message).toContain('U+0130');
  });
});

describe('parseName agrees with AZERO.ID where their rules overlap', () => {
  it('supports exactly the TLDs @azns/resolver-core lists', () => {
    const tlds = [...getSupportedTLDs(SupportedChainId.AlephZero), ...getSupportedTLDs(SupportedChainId.AlephZeroTestnet)];
    expect(new Set(tlds)).toEqual(new Set(['azero', 'a0', 'tzero']));
    for (const tld of tlds) expect(parseName(`bob.${tld}`).tld).toBe(tld);
  });

  it('normalises ASCII input like sanitizeDomain (trim + lower-case)', () => {
    const asciiName = fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/),
        fc.constantFrom('azero', 'AZERO', 'a0', 'A0', 'tzero'),
        fc.constantFrom('', ' ', '\t', '\n '),
      )
      .filter(([label]) => !/^0x[0-9a-f]*$/i.test(label))
      .map(([label, tld, ws]) => `${ws}${label}.${tld}${ws}`);
    fc.assert(
      fc.property(asciiName, (input) => {
        expect(parseName(input).full).toBe(sanitizeDomain(input));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but a ResolveError, never accepts non-ASCII', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.constantFrom('.azero', '.a0', '.tzero', '', '.x'), (label, tld) => {
        try {
          const p = parseName(label + tld);
          expect(p.label).toMatch(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/);
        } catch (err) {
          expect(err).toBeInstanceOf(ResolveError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
