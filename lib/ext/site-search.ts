import { parseName } from '../names/name';

// The "open bare names as sites" setting. A name typed without a scheme or slash
// (`alice.azero`) is not an address to the browser: it sends it to the search engine. With
// the setting on, such a search is blocked before it is sent (a declarativeNetRequest rule
// per search engine below) and the tab is sent to http://NAME/ instead. The rules match
// text shaped like a name; the name codec (lib/names/name.ts) decides before anything opens.

export const SITE_SEARCH_KEY = 'siteSearch';

// storage.local's value: on only when exactly true (absent, or anything else, is off).
export function siteSearchOn(stored: unknown): boolean {
  return stored === true;
}

interface SearchEngine {
  name: string;
  // origin + path of its results page, as a regular expression both RE2 (Chromium's rules
  // and URL filters) and JavaScript read the same way.
  page: string;
  // The query parameter holding the search text.
  param: string;
}

export const SEARCH_ENGINES: readonly SearchEngine[] = [
  { name: 'Google', page: String.raw`https://www\.google\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})/search`, param: 'q' },
  { name: 'Bing', page: String.raw`https://www\.bing\.com/search`, param: 'q' },
  { name: 'DuckDuckGo', page: String.raw`https://duckduckgo\.com/`, param: 'q' },
  { name: 'Yahoo', page: String.raw`https://search\.yahoo\.com/search`, param: 'p' },
  { name: 'Ecosia', page: String.raw`https://www\.ecosia\.org/search`, param: 'q' },
  { name: 'Brave Search', page: String.raw`https://search\.brave\.com/search`, param: 'q' },
  { name: 'Qwant', page: String.raw`https://www\.qwant\.com/`, param: 'q' },
  { name: 'Yandex', page: String.raw`https://yandex\.(?:com|ru)/search/`, param: 'text' },
];

// Text shaped like a site name, in either case: a letter or digit, then letters, digits and
// "-", then .azero, .a0 or .tzero. Loose on purpose: Chromium refuses rules whose expression
// compiles to more than 2 KB, which the codec's exact rule (lengths, no hex-looking labels)
// does. What the rules catch, the codec then judges (searchDecision).
const NAME_SHAPE = String.raw`[a-zA-Z0-9][a-zA-Z0-9-]*\.(?:[aA][zZ][eE][rR][oO]|[aA]0|[tT][zZ][eE][rR][oO])`;

// A search of `engine` whose parameter is exactly a name-shaped text (no fragment, which the
// URL filters never see).
export function searchPattern(engine: SearchEngine): string {
  return String.raw`^${engine.page}\?(?:[^#]*&)?${engine.param}=${NAME_SHAPE}(?:&[^#]*)?$`;
}

// Is this search text exactly a site name? The name as the codec writes it, or null.
export function siteNameOfSearchText(text: string): string | null {
  try {
    return parseName(text).full;
  } catch {
    return null;
  }
}

const PAGES = SEARCH_ENGINES.map((engine) => ({ engine, page: new RegExp(`^${engine.page}$`) }));

// What to do with a search the rules stopped: open the site its text names, or, when the
// codec refuses the text (`0xdead.azero`, a 40-letter label), send the same search again with
// the dots of its text written as %2E, which the engine reads the same and the rules no longer
// match. Null: not a known engine's search at all.
export type SearchDecision = { site: string } | { search: string };

export function searchDecision(address: string): SearchDecision | null {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return null;
  }
  const page = `${url.origin}${url.pathname}`;
  const found = PAGES.find((p) => p.page.test(page));
  if (!found) return null;
  const { param } = found.engine;
  for (const value of url.searchParams.getAll(param)) {
    const name = siteNameOfSearchText(value);
    if (name !== null) return { site: `http://${name}/` };
  }
  const query = url.search
    .slice(1)
    .split('&')
    .map((piece) => (piece.startsWith(`${param}=`) ? piece.replaceAll('.', '%2E') : piece))
    .join('&');
  return { search: `${page}?${query}${url.hash}` };
}

// The site a search-results address asks for: http://NAME/ when the address is a known
// engine's search whose text (any value of its parameter) is a site name; otherwise null.
export function siteOfSearch(address: string): string | null {
  const decision = searchDecision(address);
  return decision !== null && 'site' in decision ? decision.site : null;
}

// Dynamic rule ids of the search blocks (next to the call-link host rule's 1001).
export const SITE_SEARCH_RULE_IDS: readonly number[] = SEARCH_ENGINES.map((_, i) => 2001 + i);

export interface SearchBlockRule {
  id: number;
  priority: number;
  action: { type: 'block' };
  condition: { regexFilter: string; resourceTypes: ['main_frame'] };
}

// Blocks, in a tab's top frame only, a search for a name-shaped text on each engine. Blocking
// needs no host permission on the engines, unlike redirecting.
export function searchBlockRules(): SearchBlockRule[] {
  return SEARCH_ENGINES.map((engine, i) => ({
    id: SITE_SEARCH_RULE_IDS[i]!,
    priority: 1,
    action: { type: 'block' },
    condition: { regexFilter: searchPattern(engine), resourceTypes: ['main_frame'] },
  }));
}

// The same searches as webNavigation URL filters: the blocked navigation's error is the cue
// to open the site.
export function searchNavigationFilters(): { urlMatches: string }[] {
  return SEARCH_ENGINES.map((engine) => ({ urlMatches: searchPattern(engine) }));
}
