// The proxy server a person's network needs for ordinary sites, as typed in the settings
// ("proxy.example.com:3128", "http://10.0.0.1:8080", "[fd00::1]:3128"). Chromium takes the
// .azero routing as a PAC script that replaces the browser's proxy settings, so a network that
// only reaches the web through a proxy would lose the web; the PAC script sends every other
// site to this server instead (lib/ext/site-proxy.ts). What is accepted is narrow on purpose:
// the host and port are written into the PAC script's source.

export interface ProxyServer {
  host: string; // lower case; an IPv6 address without brackets
  port: number;
}

export type ParsedProxyServer = { ok: true; server: ProxyServer | null } | { ok: false; message: string };

const MAX_INPUT = 300;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV6 = /^[0-9a-f:.]+$/;

function hostProblem(host: string): string | null {
  if (host.includes(':')) {
    // An IPv6 address: hex digits and colons (an embedded IPv4 tail allowed), at least two colons.
    if (!IPV6.test(host) || host.split(':').length < 3 || host.length > 45) return `"${host}" is not an IPv6 address.`;
    return null;
  }
  if (host.length > 253) return 'That host name is too long.';
  const labels = host.split('.');
  if (!labels.every((l) => LABEL.test(l))) return `"${host}" is not a host name.`;
  return null;
}

// Empty text: no proxy (other sites go direct).
export function parseProxyServer(text: string): ParsedProxyServer {
  let rest = text.trim();
  if (rest === '') return { ok: true, server: null };
  if (rest.length > MAX_INPUT) return { ok: false, message: 'That is too long for a proxy address.' };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (scheme) {
    if (scheme[1]!.toLowerCase() !== 'http') return { ok: false, message: 'Only an HTTP proxy can be given here (host:port).' };
    rest = rest.slice(scheme[0].length).replace(/\/$/, '');
  }
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return { ok: false, message: 'Write an IPv6 proxy as [address]:port.' };
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon < 0) return { ok: false, message: 'Give the proxy as host:port, e.g. proxy.example.com:3128.' };
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(':')) return { ok: false, message: 'Write an IPv6 proxy as [address]:port.' };
  }
  host = host.toLowerCase();
  if (host === '') return { ok: false, message: 'The proxy address has no host.' };
  const problem = hostProblem(host);
  if (problem) return { ok: false, message: problem };
  if (!/^\d{1,5}$/.test(portText)) return { ok: false, message: 'The proxy port must be a number from 1 to 65535.' };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, message: 'The proxy port must be a number from 1 to 65535.' };
  return { ok: true, server: { host, port } };
}

export function formatProxyServer(server: ProxyServer): string {
  return server.host.includes(':') ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
