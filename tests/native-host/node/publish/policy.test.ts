import { describe, expect, it } from 'vitest';
import { connectSources, contentSecurityPolicy, refusal, securityHeaders } from '../../../../native-host/node/publish/policy';
import { SECRET_BYTES, Sessions } from '../../../../native-host/node/publish/sessions';

const PORT = 40123;
const HOST = `127.0.0.1:${PORT}`;
const ENDPOINTS = { azero: ['wss://ws.azero.dev', 'wss://ws.azero.dev/other'], tzero: ['ws://127.0.0.1:9944/'] };

describe('publishing page policy', () => {
  it('lets through only GET/HEAD to 127.0.0.1:PORT from no origin or our own', () => {
    expect(refusal('GET', { host: HOST }, PORT)).toBeNull();
    expect(refusal('HEAD', { host: HOST, origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' }, PORT)).toBeNull();
    expect(refusal('GET', { host: HOST, 'sec-fetch-site': 'none' }, PORT)).toBeNull();
    expect(refusal('GET', {}, PORT)).toMatch(/Host null/);
    expect(refusal('GET', { host: `localhost:${PORT}` }, PORT)).toMatch(/Host/);
    expect(refusal('GET', { host: HOST, origin: 'https://evil.example' }, PORT)).toMatch(/Origin/);
    expect(refusal('GET', { host: HOST, origin: 'null' }, PORT)).toMatch(/Origin/);
    expect(refusal('GET', { host: HOST, 'sec-fetch-site': 'cross-site' }, PORT)).toMatch(/Sec-Fetch-Site/);
    expect(refusal('POST', { host: HOST }, PORT)).toMatch(/method "POST"/);
    expect(refusal('OPTIONS', { host: HOST, origin: `http://${HOST}` }, PORT)).toMatch(/method/);
  });

  it('allows connections to the configured endpoints only, and never CORS', () => {
    expect(connectSources(ENDPOINTS)).toEqual(['wss://ws.azero.dev', 'ws://127.0.0.1:9944']);
    const csp = contentSecurityPolicy(ENDPOINTS);
    expect(csp).toContain("connect-src 'self' wss://ws.azero.dev ws://127.0.0.1:9944;");
    expect(csp).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*/);
    expect(contentSecurityPolicy({ azero: [], tzero: [] })).toContain("connect-src 'self';");
    const headers = securityHeaders(csp);
    expect(Object.keys(headers).some((h) => h.toLowerCase().startsWith('access-control'))).toBe(false);
    expect(headers).toMatchObject({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
  });
});

describe('publishing page secrets', () => {
  it('issues long random secrets, honours only the newest, until it expires', () => {
    let now = 1000;
    const s = new Sessions({ lifetimeMs: 100, now: () => now });
    expect(s.find('anything')).toBeNull();
    const a = s.issue(ENDPOINTS, 'bob.azero');
    expect(a.secret).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(a.secret, 'base64url').length).toBe(SECRET_BYTES);
    expect(SECRET_BYTES * 8).toBeGreaterThanOrEqual(128);
    expect(s.find(a.secret)).toBe(a);
    expect(s.find(a.secret.slice(0, -1))).toBeNull();
    expect(s.find(`${a.secret}x`)).toBeNull();
    const b = s.issue(ENDPOINTS, null);
    expect(b.secret).not.toBe(a.secret);
    expect(s.find(a.secret)).toBeNull();
    expect(s.find(b.secret)).toBe(b);
    now += 99;
    expect(s.find(b.secret)).toBe(b);
    now += 1;
    expect(s.find(b.secret)).toBeNull();
    const c = s.issue(ENDPOINTS, null);
    s.revoke();
    expect(s.find(c.secret)).toBeNull();
  });
});
