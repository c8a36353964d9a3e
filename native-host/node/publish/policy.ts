import type { IncomingHttpHeaders } from 'node:http';
import { CopybaraError } from '../../../lib/errors';
import { endpointProblem } from '../../../lib/names/endpoint';
import type { PublishEndpoints } from '../../../lib/protocol/native';

// Who may talk to the publishing server, and what its answers say about themselves. Pure
// functions of the request's headers, so the rules can be read (and tested) in one place.

// Why a request is refused, for the node's log; null when it may go on to the secret check.
export function refusal(method: string | undefined, headers: IncomingHttpHeaders, port: number): string | null {
  const origin = `http://127.0.0.1:${port}`;
  // DNS rebinding: a name the attacker controls that resolves to 127.0.0.1 arrives with
  // that name as Host. Only the literal address we hand out is ours.
  if (headers.host !== `127.0.0.1:${port}`) return `Host ${JSON.stringify(headers.host ?? null)}`;
  // Browsers send Origin on cross-origin requests (and on our own module scripts): anything
  // but our own origin is another site trying its luck.
  if (headers.origin !== undefined && headers.origin !== origin) return `Origin ${JSON.stringify(headers.origin)}`;
  // Where the browser says the request came from: typed or opened by the extension (none)
  // or the page itself (same-origin). Absent outside browsers.
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'none' && site !== 'same-origin') return `Sec-Fetch-Site ${JSON.stringify(site)}`;
  if (method !== 'GET' && method !== 'HEAD') return `method ${JSON.stringify(method ?? null)}`;
  return null;
}

// The chain endpoints as CSP sources: scheme, host and port only (a path in a CSP source
// narrows it, and RPC nodes are addressed with and without one). Each is checked again here,
// whoever called: a `*` or a `;` in a source would open the page to any host.
export function connectSources(endpoints: PublishEndpoints): string[] {
  const sources = new Set<string>();
  for (const url of [...endpoints.azero, ...endpoints.tzero]) {
    const problem = endpointProblem(url);
    if (problem) throw CopybaraError.BAD_MESSAGE(`the publish page cannot be allowed to connect to ${problem.replace(/\.$/, '')}`);
    const u = new URL(url);
    sources.add(`${u.protocol}//${u.host}`);
  }
  return [...sources];
}

export function contentSecurityPolicy(endpoints: PublishEndpoints): string {
  return [
    "default-src 'none'",
    // polkadot's crypto compiles WebAssembly from bytes; that is not script evaluation.
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ${connectSources(endpoints).join(' ')}`.trimEnd(),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

// On every answer that carries content. No Access-Control-* header, ever: no other origin
// may read anything here.
export function securityHeaders(csp: string | null): Record<string, string> {
  return {
    'Cache-Control': 'no-store',
    // The secret is in the path: a link followed from the page must not carry it along.
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    ...(csp ? { 'Content-Security-Policy': csp } : {}),
  };
}
