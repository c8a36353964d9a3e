// The head of one HTTP/1.x request as a browser sends it to its proxy: the request line and
// the header fields, up to the blank line. Pure: bytes in, a decision out. Nothing here trusts
// the bytes: every field is checked against the grammar (RFC 9112) and the limits below, and a
// request that breaks either is answered with a status, never half-understood.

export interface HeadLimits {
  // Request line plus header fields, blank line included.
  maxHeadBytes: number;
  maxHeaders: number;
}

export const DEFAULT_HEAD_LIMITS: HeadLimits = { maxHeadBytes: 16 * 1024, maxHeaders: 100 };

export interface RequestHead {
  method: string;
  // As written in the request line.
  target: string;
  version: 'HTTP/1.0' | 'HTTP/1.1';
  // In order, names as written; values trimmed.
  headers: [string, string][];
  // The host asked for, lower case, without a trailing dot, and its port.
  host: string;
  port: number;
  // CONNECT: a tunnel to host:port. Otherwise the path and query to ask the site for.
  connect: boolean;
  path: string;
  // How the body after the head is delimited.
  body: { kind: 'none' } | { kind: 'length'; bytes: number } | { kind: 'chunked' };
  // The request asks to switch protocols (WebSocket): the connection becomes a tunnel after it.
  upgrade: boolean;
}

export type HeadProblem = { status: 400 | 431 | 501 | 505; reason: string };

export type HeadResult =
  { kind: 'incomplete' } | { kind: 'head'; head: RequestHead; headBytes: number } | { kind: 'error'; problem: HeadProblem };

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Field values: visible ASCII, spaces, tabs and obs-text; never CR, LF or NUL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
// Request targets: visible ASCII only (RFC 3986 characters and the odd unescaped one browsers send).
const TARGET = /^[\x21-\x7e]+$/;
const HOST = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const END = Buffer.from('\r\n\r\n');

const bad = (reason: string): HeadResult => ({ kind: 'error', problem: { status: 400, reason } });

// Looks for a whole head at the start of `buf`. `incomplete` means: read more (the caller keeps
// what it has); once `buf` holds more than the limit without a blank line, that is an error.
export function parseRequestHead(buf: Uint8Array, limits: HeadLimits = DEFAULT_HEAD_LIMITS): HeadResult {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const end = bytes.subarray(0, limits.maxHeadBytes + 1).indexOf(END);
  if (end < 0) {
    if (bytes.length > limits.maxHeadBytes)
      return { kind: 'error', problem: { status: 431, reason: `the request head is over ${limits.maxHeadBytes} bytes` } };
    return { kind: 'incomplete' };
  }
  const headBytes = end + END.length;
  if (headBytes > limits.maxHeadBytes)
    return { kind: 'error', problem: { status: 431, reason: `the request head is over ${limits.maxHeadBytes} bytes` } };
  // latin1 maps each byte to one character, so every check below sees the bytes as sent.
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const line = lines[0]!;
  const parts = line.split(' ');
  if (parts.length !== 3) return bad('the request line is not "METHOD TARGET VERSION"');
  const [method, target, version] = parts as [string, string, string];
  if (!TOKEN.test(method)) return bad('the method is not a token');
  if (!TARGET.test(target)) return bad('the request target has characters a URL cannot have');
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') {
    if (/^HTTP\/\d\.\d$/.test(version)) return { kind: 'error', problem: { status: 505, reason: `${version} is not spoken here` } };
    return bad('the request line does not end in an HTTP version');
  }
  const fields = lines.slice(1);
  if (fields.length > limits.maxHeaders)
    return { kind: 'error', problem: { status: 431, reason: `the request has over ${limits.maxHeaders} header fields` } };
  const headers: [string, string][] = [];
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon <= 0) return bad('a header line has no field name');
    const name = field.slice(0, colon);
    // Whitespace before the colon has let requests mean different things to different readers.
    if (!TOKEN.test(name)) return bad(`a header field name is not a token`);
    const value = field.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) return bad(`header ${name} has a control character in its value`);
    headers.push([name, value]);
  }
  const authority = findAuthority(method, target, headers);
  if ('reason' in authority) return bad(authority.reason);
  const body = bodyOf(headers);
  if ('reason' in body) return body.status === 501 ? { kind: 'error', problem: body } : bad(body.reason);
  const upgrade = get(headers, 'upgrade') !== null && tokens(get(headers, 'connection')).includes('upgrade');
  return {
    kind: 'head',
    headBytes,
    head: { method, target, version, headers, ...authority, connect: method === 'CONNECT', body: body.body, upgrade },
  };
}

// Where the request goes. CONNECT names host:port (authority-form); a proxy request names the
// whole URL (absolute-form); origin-form (a path) has only the Host header. When both a URL and
// a Host header are there, the URL wins (RFC 9112 §3.2.2).
function findAuthority(
  method: string,
  target: string,
  headers: [string, string][],
): { host: string; port: number; path: string } | { reason: string } {
  if (method === 'CONNECT') {
    const a = parseAuthority(target, null);
    return 'reason' in a ? a : { ...a, path: '' };
  }
  if (target.startsWith('/')) {
    const hostHeaders = headers.filter(([n]) => n.toLowerCase() === 'host');
    if (hostHeaders.length !== 1) return { reason: 'an origin-form request needs exactly one Host header' };
    const a = parseAuthority(hostHeaders[0]![1], 80);
    return 'reason' in a ? a : { ...a, path: target };
  }
  const m = /^http:\/\/([^/?#]*)([^#]*)/i.exec(target);
  if (!m) return { reason: 'the request target is neither a path nor an http:// URL' };
  const a = parseAuthority(m[1]!, 80);
  if ('reason' in a) return a;
  const rest = m[2]!;
  return { ...a, path: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}

function parseAuthority(text: string, defaultPort: number | null): { host: string; port: number } | { reason: string } {
  if (text.includes('@')) return { reason: 'user information in the host is not accepted' };
  const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return { reason: `"${text.slice(0, 80)}" is not host:port` };
  const host = m[1]!.toLowerCase().replace(/\.$/, '');
  if (!HOST.test(host) || host.length > 253) return { reason: `"${host.slice(0, 80)}" is not a host name` };
  const port = m[2] === undefined ? defaultPort : Number(m[2]);
  if (port === null) return { reason: 'CONNECT needs a port' };
  if (port < 1 || port > 65535) return { reason: `port ${port} is out of range` };
  return { host, port };
}

function bodyOf(headers: [string, string][]): { body: RequestHead['body'] } | HeadProblem {
  const te = headers.filter(([n]) => n.toLowerCase() === 'transfer-encoding');
  const cl = headers.filter(([n]) => n.toLowerCase() === 'content-length');
  // Both at once is how request smuggling starts: refused, not guessed at.
  if (te.length > 0 && cl.length > 0) return { status: 400, reason: 'the request has both Transfer-Encoding and Content-Length' };
  if (te.length > 0) {
    const codings = te.flatMap(([, v]) => tokens(v));
    if (codings.length === 1 && codings[0] === 'chunked') return { body: { kind: 'chunked' } };
    return { status: 501, reason: `transfer coding "${te.map(([, v]) => v).join(', ')}" is not supported` };
  }
  if (cl.length > 0) {
    const values = new Set(cl.flatMap(([, v]) => v.split(',').map((x) => x.trim())));
    const [only] = values;
    if (values.size !== 1 || !/^\d{1,15}$/.test(only!)) return { status: 400, reason: 'the Content-Length is not one number' };
    const bytes = Number(only);
    return { body: bytes === 0 ? { kind: 'none' } : { kind: 'length', bytes } };
  }
  return { body: { kind: 'none' } };
}

export function get(headers: readonly [string, string][], name: string): string | null {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1] ?? null;
}

function tokens(value: string | null): string[] {
  return value === null
    ? []
    : value
        .split(',')
        .map((t) => t.trim().toLowerCase())
        .filter((t) => t !== '');
}

// Headers meant for the proxy alone, never passed on: they could tell the site about the
// visitor's proxy setup, or credentials meant for a proxy.
const PROXY_ONLY = new Set(['proxy-connection', 'proxy-authorization', 'keep-alive']);

// The head as the site receives it: origin-form, one Host header naming the site.
export function forwardedHead(head: RequestHead): Buffer {
  const lines = [`${head.method} ${head.path} ${head.version}`];
  const hostValue = head.port === 80 ? head.host : `${head.host}:${head.port}`;
  lines.push(`Host: ${hostValue}`);
  for (const [name, value] of head.headers) {
    const lower = name.toLowerCase();
    if (lower === 'host' || PROXY_ONLY.has(lower)) continue;
    lines.push(`${name}: ${value}`);
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}
