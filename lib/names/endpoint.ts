// The one rule for a chain endpoint address, wherever one comes from: the options page
// (lib/ext/settings.ts), the publish request the node receives (lib/protocol/native.ts),
// the resolver's options, and the publish page's CSP (native-host/node/publish/policy.ts).
//
// - wss:// anywhere; ws:// (no TLS: anyone on the path reads and rewrites the answers) only
//   to this computer: localhost, 127.0.0.0/8 or [::1].
// - A host, and no wildcard: a `*` is meaningless in a URL and in a CSP source it would let
//   the publish page talk to any host.
// - No user name or password, no # part, and none of the characters that would end or
//   split a CSP source list (space ; , ' ").
export const MAX_ENDPOINT_URL = 512;

export function endpointProblem(url: string): string | null {
  if (url.length > MAX_ENDPOINT_URL) return `an address has at most ${MAX_ENDPOINT_URL} characters.`;
  if (/\s/.test(url)) return 'an address has no spaces.';
  const shown = JSON.stringify(url);
  if (/[;,'"]/.test(url)) return `${shown} contains a character an address cannot have (; , ' or ").`;
  if (url.includes('*')) return `${shown} contains a wildcard (*); give one exact address.`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `${shown} is not an address; it should look like wss://ws.azero.dev.`;
  }
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:')
    return `${shown} must start with wss:// (or ws:// for a node on this computer).`;
  if (parsed.hostname === '') return `${shown} names no host.`;
  if (parsed.protocol === 'ws:' && !isLoopback(parsed.hostname)) {
    return `${shown} is not encrypted: ws:// is only for a node on this computer (localhost, 127.0.0.1 or [::1]); use wss://.`;
  }
  if (parsed.username || parsed.password) return `${shown} must not contain a user name or password.`;
  if (parsed.hash || url.includes('#')) return `${shown} must not contain a # part.`;
  return null;
}

// `hostname` as URL gives it: IPv4 already normalised (127.1 -> 127.0.0.1), IPv6 in brackets.
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]') return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return v4 !== null && v4[1] === '127' && v4.slice(2).every((p) => Number(p) <= 255);
}
