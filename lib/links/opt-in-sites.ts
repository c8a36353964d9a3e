// Sites the person opted in to, beyond the supported messengers: call links are marked
// there by the same content script, registered at run time once the browser granted an
// optional host permission for the site (entrypoints/background/link-sites.ts). Pure: what
// a site is, the match pattern asked for, and what to register or unregister.

export interface OptInSite {
  origin: string; // "https://chat.example.org"
  pattern: string; // "https://chat.example.org/*", the permission and the script's matches
}

export type SiteInput = { ok: true; site: OptInSite } | { ok: false; message: string };

// The registered scripts' ids start with this; other ids are not ours to touch.
export const SITE_SCRIPT_PREFIX = 'copybara-site:';

// One site as pattern: a scheme, one concrete host, every path. Ports are not part of
// match patterns, so a site is a host on every port.
const SITE_PATTERN = /^(https?):\/\/([a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])\/\*$/;

// What the person typed ("chat.example.org", "https://chat.example.org/rooms/1") as a
// site; https unless they wrote http://. `known`: the messengers' own patterns.
export function siteFromInput(typed: string, known: readonly string[] = []): SiteInput {
  const text = typed.trim();
  if (text === '') return { ok: false, message: 'Give a site, like https://chat.example.org.' };
  if (text.length > 300) return { ok: false, message: 'That address is too long.' };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, message: `"${text}" is not a web address.` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, message: 'Only http:// and https:// sites can be added.' };
  if (url.username || url.password) return { ok: false, message: 'Give the address without a user name or password.' };
  if (url.hostname.includes('*')) return { ok: false, message: 'Give one site; wildcards are not allowed.' };
  if (!url.hostname.includes('.') && url.hostname !== 'localhost' && !url.hostname.startsWith('[')) {
    return { ok: false, message: `"${text}" is not a site's address; it should look like https://chat.example.org.` };
  }
  const site = { origin: `${url.protocol}//${url.hostname}`, pattern: `${url.protocol}//${url.hostname}/*` };
  if (!SITE_PATTERN.test(site.pattern)) return { ok: false, message: `"${text}" is not a site's address.` };
  if (known.includes(site.pattern)) return { ok: false, message: `Call links on ${url.hostname} are already recognised.` };
  return { ok: true, site };
}

// The opt-in sites among the browser's granted origins (permissions.getAll): one concrete
// host each, not a messenger's (the manifest grants those), no wildcard grants (a grant
// of every site, made elsewhere, does not turn marking on everywhere).
export function sitesFromGrants(origins: readonly string[], known: readonly string[]): OptInSite[] {
  const out: OptInSite[] = [];
  for (const pattern of origins) {
    const m = SITE_PATTERN.exec(pattern);
    if (!m || known.includes(pattern) || out.some((s) => s.pattern === pattern)) continue;
    out.push({ origin: `${m[1]}://${m[2]}`, pattern });
  }
  return out.sort((a, b) => a.origin.localeCompare(b.origin));
}

export function siteScriptId(site: OptInSite): string {
  return SITE_SCRIPT_PREFIX + site.origin;
}

export interface RegisteredSiteScript {
  id: string;
  matches?: readonly string[];
}

export interface SitePlan {
  register: OptInSite[];
  unregister: string[]; // script ids
}

// What makes the registered scripts match the granted sites: the grants are the truth, so
// a grant without a script gets one and a script without a grant goes.
export function sitePlan(granted: readonly OptInSite[], registered: readonly RegisteredSiteScript[]): SitePlan {
  const ours = registered.filter((r) => r.id.startsWith(SITE_SCRIPT_PREFIX));
  const wanted = new Map(granted.map((s) => [siteScriptId(s), s]));
  const unregister: string[] = [];
  const kept = new Set<string>();
  for (const r of ours) {
    const site = wanted.get(r.id);
    if (site && r.matches?.length === 1 && r.matches[0] === site.pattern) kept.add(r.id);
    else unregister.push(r.id);
  }
  return { register: granted.filter((s) => !kept.has(siteScriptId(s))), unregister };
}
