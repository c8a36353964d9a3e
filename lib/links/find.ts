import { MAX_PAYLOAD_CHARS } from './link';

// Where call links stand in text or in a link's address, including links wrapped by a
// messenger's redirect (the real address in a query parameter, percent-encoded).

const PAYLOAD = `[A-Za-z0-9_-]{152,${MAX_PAYLOAD_CHARS}}`;
const IN_TEXT = new RegExp(`(?:https://[a-z0-9.-]{1,253}(?::\\d{1,5})?/call#|copybara:)(${PAYLOAD})(?![A-Za-z0-9_-])`, 'g');

export interface FoundLink {
  payload: string;
  index: number;
  text: string;
}

export function findLinksInText(text: string, limit = 50): FoundLink[] {
  const out: FoundLink[] = [];
  for (const m of text.matchAll(IN_TEXT)) {
    out.push({ payload: m[1]!, index: m.index, text: m[0] });
    if (out.length >= limit) break;
  }
  return out;
}

// The payload of a link's address: a direct link, or one wrapped in a redirect URL.
export function payloadFromHref(href: string, hosts: readonly string[]): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (url.protocol === 'https:' && hosts.includes(url.host) && url.pathname === '/call') {
    const payload = url.hash.slice(1);
    return new RegExp(`^${PAYLOAD}$`).test(payload) ? payload : null;
  }
  for (const value of url.searchParams.values()) {
    if (!value.startsWith('https://')) continue;
    const inner = payloadFromHref(value, hosts);
    if (inner) return inner;
  }
  return null;
}
