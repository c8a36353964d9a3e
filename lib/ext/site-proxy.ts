import { parseName } from '../names/name';
import { type ProxyServer, formatProxyServer } from './proxy-server';

// How Chromium reaches .azero, .a0 and .tzero sites: a PAC script sends those hosts, and only
// those, to the node's HTTP proxy on 127.0.0.1. The script replaces the browser's own proxy
// settings, so every other host goes DIRECT, or, when the person named the proxy their network
// needs (`other`), to that proxy, loopback and plain host names excepted as Chromium excepts
// them from a fixed proxy. There is no DIRECT fallback for the site TLDs: with the node down
// the browser shows a proxy error rather than asking the DNS about a name nobody else should
// learn of.

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
