import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseName } from '../../../lib/names/name';
import {
  SEARCH_ENGINES,
  searchDecision,
  SITE_SEARCH_RULE_IDS,
  searchBlockRules,
  searchNavigationFilters,
  searchPattern,
  siteNameOfSearchText,
  siteOfSearch,
  siteSearchOn,
} from '../../../lib/ext/site-search';

// What each engine's results page looks like after a bare name was typed into the address bar.
const SEARCHES: [string, string][] = [
  ['https://www.google.com/search?q=alice.azero&oq=alice.azero&sourceid=chrome&ie=UTF-8', 'http://alice.azero/'],
  ['https://www.google.de/search?client=firefox-b-d&q=Alice.A0', 'http://alice.a0/'],
  ['https://www.google.co.uk/search?q=bob-2.tzero', 'http://bob-2.tzero/'],
  ['https://www.bing.com/search?q=alice.azero&pc=MOZI&form=MOZLBR', 'http://alice.azero/'],
  ['https://duckduckgo.com/?t=ffab&q=alice.azero', 'http://alice.azero/'],
  ['https://search.yahoo.com/search?p=alice.azero&fr=yfp-t', 'http://alice.azero/'],
  ['https://www.ecosia.org/search?method=index&q=alice.azero', 'http://alice.azero/'],
  ['https://search.brave.com/search?q=alice.azero&source=desktop', 'http://alice.azero/'],
  ['https://www.qwant.com/?q=alice.azero', 'http://alice.azero/'],
  ['https://yandex.com/search/?text=alice.azero', 'http://alice.azero/'],
];

// Shaped like names, so the rules stop them, but the codec refuses them: searched again, with
// the dots written as %2E.
const REFUSED: [string, string][] = [
  ['https://www.google.com/search?q=0xdead.azero&ie=UTF-8', 'https://www.google.com/search?q=0xdead%2Eazero&ie=UTF-8'],
  [`https://www.bing.com/search?q=${'a'.repeat(33)}.azero`, `https://www.bing.com/search?q=${'a'.repeat(33)}%2Eazero`],
  ['https://duckduckgo.com/?t=ffab&q=alice-.a0', 'https://duckduckgo.com/?t=ffab&q=alice-%2Ea0'],
];

const NOT_SITES = [
  'https://www.google.com/search?q=alice+azero',
  'https://www.google.com/search?q=alice.azero+blog',
  'https://www.google.com/search?q=alice.com',
  'https://www.google.com/search?q=www.alice.azero',
  'https://www.google.com/search?q=-alice.azero',
  'https://www.google.com/search?oq=alice.azero',
  'https://www.google.com/maps?q=alice.azero',
  'https://www.google.evil.com/search?q=alice.azero',
  'https://example.com/search?q=alice.azero',
  'http://www.google.com.example/search?q=alice.azero',
  'not an address',
  '',
];

describe('is this search text a site name?', () => {
  it('exactly a name, checked by the name codec', () => {
    expect(siteNameOfSearchText('alice.azero')).toBe('alice.azero');
    expect(siteNameOfSearchText(' ALICE.TZERO ')).toBe('alice.tzero');
    for (const text of ['alice', 'alice azero', 'alice.azero/x', 'a.b.azero', '0xdead.azero', 'аlice.azero', 'alice.com', ''])
      expect(siteNameOfSearchText(text), text).toBeNull();
  });
});

describe('the site a search asks for', () => {
  it('each engine’s search for a bare name opens the name as a site', () => {
    for (const [url, site] of SEARCHES) expect(siteOfSearch(url), url).toBe(site);
  });

  it('anything else is left to the search engine', () => {
    for (const url of NOT_SITES) expect(siteOfSearch(url), url).toBeNull();
    for (const [url] of REFUSED) expect(siteOfSearch(url), url).toBeNull();
  });

  it('a stopped search whose text the codec refuses is sent again, unchanged for the engine', () => {
    for (const [url, again] of REFUSED) {
      expect(searchDecision(url), url).toEqual({ search: again });
      expect(new URL(again).searchParams.toString()).toBe(new URL(url).searchParams.toString());
    }
    expect(searchDecision('https://example.com/search?q=0xdead.azero')).toBeNull();
    expect(searchDecision('nonsense')).toBeNull();
  });
});

describe('the block rules and URL filters', () => {
  const patterns = SEARCH_ENGINES.map((e) => new RegExp(searchPattern(e)));
  const matched = (url: string) => patterns.some((p) => p.test(url));

  it('catch every engine’s bare-name search and none of the others', () => {
    for (const [url] of SEARCHES) expect(matched(url), url).toBe(true);
    for (const url of NOT_SITES) expect(matched(url), url).toBe(false);
    for (const [url, again] of REFUSED) {
      expect(matched(url), url).toBe(true);
      expect(matched(again), again).toBe(false);
    }
  });

  it('stop nothing that then goes nowhere: a site opens, or a search the rules let through (property)', () => {
    const piece = fc.constantFrom(
      ...SEARCH_ENGINES.flatMap((e) => [
        `${e.page
          .replaceAll('\\', '')
          .replace(/\(\?:([^|)]*)[^)]*\)/g, '$1')
          .replace('[a-z]{2}', 'de')}?`,
      ]),
      'q=',
      'p=',
      'text=',
      '&',
      '#',
      '.azero',
      '.a0',
      '.tzero',
      '0x',
      '-',
      '%2E',
      '+',
      ' ',
    );
    const loose = fc.array(fc.oneof(piece, fc.string({ maxLength: 6 }), fc.stringMatching(/^[a-zA-Z0-9-]{1,40}$/)), { maxLength: 8 });
    // Searches shaped like the real ones, with labels near the codec's edges (hex-looking,
    // dashes at the ends, 32 and 33 characters, upper case, other letters).
    const shaped = fc
      .tuple(
        fc.constantFrom(...SEARCHES.map(([u]) => u)),
        fc.stringMatching(/^(?:0[xX])?[0-9a-fA-FxX-]{0,34}$|^[a-zA-Z0-9-]{0,34}$|^[a-z]{0,3}[\u0430-\u044f._~%]{0,3}[a-z]{0,3}$/),
        fc.constantFrom('.azero', '.A0', '.tzero', '.azer', '.com', ''),
      )
      .map(([sample, label, tld]) => [sample.replace(/(alice|Alice|bob-2)\.(azero|A0|tzero)/, `${label}${tld}`)]);
    fc.assert(
      fc.property(fc.oneof(loose, shaped), (parts) => {
        const url = parts.join('');
        if (!matched(url)) return;
        const decision = searchDecision(url);
        expect(decision, url).not.toBeNull();
        if (decision !== null && 'search' in decision) expect(matched(decision.search), decision.search).toBe(false);
      }),
      { numRuns: 5000 },
    );
  });

  it('catch every name the codec accepts (property)', () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/).filter((l) => !/^0x[0-9a-f]*$/.test(l));
    fc.assert(
      fc.property(label, fc.constantFrom('azero', 'a0', 'tzero'), fc.constantFrom(...SEARCHES.map(([u]) => u)), (l, tld, sample) => {
        const name = `${l}.${tld}`;
        expect(parseName(name).full).toBe(name);
        const url = sample.replace(/(alice|Alice|bob-2)\.(azero|A0|tzero)/, name);
        expect(matched(url), url).toBe(true);
        expect(siteOfSearch(url)).toBe(`http://${name}/`);
      }),
      { numRuns: 2000 },
    );
  });

  it('one block rule per engine, top frames only, with ids of their own', () => {
    const rules = searchBlockRules();
    expect(rules.map((r) => r.id)).toEqual([...SITE_SEARCH_RULE_IDS]);
    expect(new Set(SITE_SEARCH_RULE_IDS).has(1001)).toBe(false);
    for (const r of rules) {
      expect(r.action).toEqual({ type: 'block' });
      expect(r.condition.resourceTypes).toEqual(['main_frame']);
    }
    expect(searchNavigationFilters().map((f) => f.urlMatches)).toEqual(rules.map((r) => r.condition.regexFilter));
  });
});

describe('the setting as stored', () => {
  it('is on only when stored as true', () => {
    expect(siteSearchOn(true)).toBe(true);
    for (const v of [undefined, null, false, 'true', 1, {}]) expect(siteSearchOn(v)).toBe(false);
  });
});
