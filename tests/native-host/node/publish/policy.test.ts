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

describe('the CSP builder refuses what no endpoint may be', () => {
  it('throws, naming the address, for a wildcard, remote ws://, a CSP separator or a non-websocket URL', () => {
    const bad: [string, RegExp][] = [
      ['wss://*', /wildcard/],
      ['wss://*.azero.dev', /wildcard/],
      ['ws://rpc.example.org', /not encrypted/],
      ['ws://192.168.1.2:9944', /not encrypted/],
      ['wss://a.example;script-src', /character an address cannot have/],
      ["wss://a.example'unsafe-eval'", /character an address cannot have/],
      ['https://a.example', /must start with wss:\/\//],
    ];
    for (const [url, why] of bad) {
      expect(() => contentSecurityPolicy({ azero: [url], tzero: [] }), url).toThrow(
        expect.objectContaining({ code: 'BAD_MESSAGE', message: expect.stringMatching(why) }),
      );
      expect(() => connectSources({ azero: [], tzero: [url] }), url).toThrow(/the publish page cannot be allowed to connect to/);
    }
  });

  it('lets ws:// through to this computer only: 127.0.0.0/8, [::1] and localhost', () => {
    const local = { azero: [], tzero: ['ws://127.0.0.1:9944', 'ws://127.9.8.7', 'ws://[::1]:9944', 'ws://localhost:9944'] };
    expect(connectSources(local)).toEqual(['ws://127.0.0.1:9944', 'ws://127.9.8.7', 'ws://[::1]:9944', 'ws://localhost:9944']);
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
