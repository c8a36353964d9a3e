import { parseName } from '../names/name';
import { type ProxyServer, formatProxyServer } from './proxy-server';

// How the browser reaches .azero, .a0 and .tzero sites. In Chromium a PAC script sends those
// hosts, and only those, to the node's HTTP proxy on 127.0.0.1. The script replaces the
// browser's own proxy settings, so every other host goes DIRECT, or, when the person named the
// proxy their network needs (`other`), to that proxy, loopback and plain host names excepted as
// Chromium excepts them from a fixed proxy. Firefox asks proxy.onRequest instead
// (siteRequestProxy below), with the same answer for the site hosts, and leaves every other
// request to the person's own settings. There is no DIRECT fallback for the site TLDs: with the
// node down the browser shows a proxy error rather than asking the DNS about a name nobody else
// should learn of.

export const SITE_TLDS = ['azero', 'a0', 'tzero'] as const;

export function pacScript(port: number, other: ProxyServer | null = null): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`not a port: ${port}`);
  const tests = SITE_TLDS.flatMap((tld) => [`shExpMatch(h, "*.${tld}")`, `shExpMatch(h, "*.${tld}.")`]).join(' || ');
  const rest = other
    ? `  if (isPlainHostName(h) || h === "localhost" || shExpMatch(h, "127.*") || h === "::1" || h === "[::1]") return "DIRECT";
  return "PROXY ${formatProxyServer(other)}";`
    : '  return "DIRECT";';
  return `function FindProxyForURL(url, host) {
  var h = host.toLowerCase();
  if (${tests}) return "PROXY 127.0.0.1:${port}";
${rest}
}
`;
}

// Firefox has no PAC script for extensions: it asks proxy.onRequest about each request to
// these addresses (the listener's filter, and the host permission it needs there).
export const SITE_URL_PATTERNS: readonly string[] = SITE_TLDS.map((tld) => `*://*.${tld}/*`);

// The same hosts the PAC script sends to the node: anything ending in one of the site TLDs
// (a trailing dot allowed). The match patterns above also match the bare TLD; this does not.
export function isSiteHost(host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return SITE_TLDS.some((tld) => h.endsWith(`.${tld}`));
}

// Where nothing listens: a site request made before the node's proxy port is known goes
// here and fails, rather than going direct and asking the DNS about the name.
export const NO_PROXY_PORT = 9;

// Firefox without access to the site addresses (the person took it away in about:addons)
// cannot route them, and would hand them to the person's own proxy settings: usually the DNS.
// A block rule, which needs no host access, stops them instead until access is back.
export const SITE_GUARD_RULE_ID = 3001;

export interface SiteGuardRule {
  id: number;
  priority: number;
  action: { type: 'block' };
  condition: { requestDomains: string[]; resourceTypes: string[] };
}

export function siteGuardRule(): SiteGuardRule {
  return {
    id: SITE_GUARD_RULE_ID,
    priority: 1,
    action: { type: 'block' },
    condition: {
      requestDomains: [...SITE_TLDS],
      // Every kind, the top frame included (left out, the top frame would not be).
      resourceTypes: [
        'main_frame',
        'sub_frame',
        'stylesheet',
        'script',
        'image',
        'font',
        'object',
        'xmlhttprequest',
        'ping',
        'csp_report',
        'media',
        'websocket',
        'other',
      ],
    },
  };
}

// storage.session: the last error Firefox reported about our proxy.onRequest answers, for the popup.
export const ROUTING_ERROR_KEY = 'siteRoutingError';

export interface SiteProxyInfo {
  type: 'http';
  host: '127.0.0.1';
  port: number;
}

// Firefox's proxy.onRequest answer: the node's proxy for a site host; for every other
// address nothing, so the person's own proxy settings stay in force.
export function siteRequestProxy(url: string, port: number | null): SiteProxyInfo | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  if (!isSiteHost(host)) return undefined;
  const valid = port !== null && Number.isInteger(port) && port >= 1 && port <= 65535;
  return { type: 'http', host: '127.0.0.1', port: valid ? port : NO_PROXY_PORT };
}

// chrome.types.ChromeSetting's levelOfControl, in what the popup says about it.
export type ProxyStanding = 'ours' | 'available' | 'other-extension' | 'not-controllable';

export function proxyStanding(levelOfControl: string): ProxyStanding {
  switch (levelOfControl) {
    case 'controlled_by_this_extension':
      return 'ours';
    case 'controllable_by_this_extension':
      return 'available';
    case 'controlled_by_other_extensions':
      return 'other-extension';
    default:
      return 'not-controllable';
  }
}

// The omnibox keyword's text ("alice", "alice.azero", "alice.a0/path") as the site address to
// open, or null when it is not a name.
export function siteAddress(text: string): string | null {
  const trimmed = text.trim().replace(/^https?:\/\//i, '');
  const slash = trimmed.indexOf('/');
  const host = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const path = slash < 0 ? '/' : trimmed.slice(slash);
  try {
    const name = parseName(host.includes('.') ? host : `${host}.azero`);
    return `http://${name.full}${encodeURI(decodeURIComponentSafe(path))}`;
  } catch {
    return null;
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURI(text);
  } catch {
    return text;
  }
}
