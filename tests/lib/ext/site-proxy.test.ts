import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import {
  NO_PROXY_PORT,
  SITE_GUARD_RULE_ID,
  siteGuardRule,
  isSiteHost,
  pacScript,
  proxyStanding,
  siteAddress,
  siteRequestProxy,
} from '../../../lib/ext/site-proxy';

// Runs the PAC script as a browser would, with the one helper it uses.
function route(script: string, host: string): string {
  const shExpMatch = (s: string, pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
    ).test(s);
  const isPlainHostName = (h: string) => !h.includes('.');
  return runInNewContext(`${script}\nFindProxyForURL(url, host);`, { shExpMatch, isPlainHostName, url: `http://${host}/`, host }) as string;
}

describe('the site PAC script', () => {
  const script = pacScript(41234);

  it('sends .azero, .a0 and .tzero hosts to the node, in any case, with a trailing dot too', () => {
    for (const host of ['alice.azero', 'ALICE.AZERO', 'bob.a0', 'carol.tzero', 'alice.azero.'])
      expect(route(script, host), host).toBe('PROXY 127.0.0.1:41234');
  });

  it('leaves every other host direct', () => {
    for (const host of ['example.com', 'azero', 'azero.dev', 'alice.azero.example.com', 'a0', 'x.a0x', '127.0.0.1', 'localhost'])
      expect(route(script, host), host).toBe('DIRECT');
  });

  it("with the network's proxy given, sends every other host there, loopback and plain names excepted", () => {
    const withProxy = pacScript(41234, { host: 'proxy.corp', port: 3128 });
    expect(route(withProxy, 'alice.azero')).toBe('PROXY 127.0.0.1:41234');
    for (const host of ['example.com', 'azero.dev', 'alice.azero.example.com'])
      expect(route(withProxy, host), host).toBe('PROXY proxy.corp:3128');
    for (const host of ['localhost', '127.0.0.1', '::1', 'intranet']) expect(route(withProxy, host), host).toBe('DIRECT');
    expect(route(pacScript(41234, { host: 'fd00::1', port: 8080 }), 'example.com')).toBe('PROXY [fd00::1]:8080');
  });

  it('refuses a port that is not one', () => {
    expect(() => pacScript(0)).toThrow(RangeError);
    expect(() => pacScript(70000)).toThrow(RangeError);
  });
});

describe('who controls the proxy setting', () => {
  it('names each level of control', () => {
    expect(proxyStanding('controlled_by_this_extension')).toBe('ours');
    expect(proxyStanding('controllable_by_this_extension')).toBe('available');
    expect(proxyStanding('controlled_by_other_extensions')).toBe('other-extension');
    expect(proxyStanding('not_controllable')).toBe('not-controllable');
  });
});

describe('the omnibox keyword', () => {
  it('opens a name as its site', () => {
    expect(siteAddress('alice')).toBe('http://alice.azero/');
    expect(siteAddress(' alice.a0 ')).toBe('http://alice.a0/');
    expect(siteAddress('bob.tzero/docs/a b')).toBe('http://bob.tzero/docs/a%20b');
    expect(siteAddress('http://alice.azero/x?y=1')).toBe('http://alice.azero/x?y=1');
  });

  it('is not a way to open other hosts', () => {
    for (const text of ['example.com', 'alice.azero.example.com', 'javascript:alert(1)', '', 'a b', 'www.alice.azero'])
      expect(siteAddress(text), text).toBeNull();
  });
});

describe('Firefox site requests', () => {
  it('sends site hosts to the node, any scheme, any case, with a trailing dot too', () => {
    for (const url of ['http://alice.azero/', 'https://ALICE.AZERO/x', 'ws://bob.a0:8080/ws', 'http://carol.tzero./', 'http://a.b.azero/'])
      expect(siteRequestProxy(url, 41234), url).toEqual({ type: 'http', host: '127.0.0.1', port: 41234 });
  });

  it('leaves every other address alone, the bare TLDs included', () => {
    for (const url of [
      'http://azero/',
      'https://example.com/',
      'http://alice.azero.example.com/',
      'http://127.0.0.1:8080/',
      'not a url',
      'about:blank',
    ])
      expect(siteRequestProxy(url, 41234), url).toBeUndefined();
  });

  it('with no node port known, sends site requests where nothing listens rather than direct', () => {
    expect(siteRequestProxy('http://alice.azero/', null)).toEqual({ type: 'http', host: '127.0.0.1', port: NO_PROXY_PORT });
    expect(siteRequestProxy('http://alice.azero/', 0)).toEqual({ type: 'http', host: '127.0.0.1', port: NO_PROXY_PORT });
  });

  it('agrees with the PAC script on every host', () => {
    const script = pacScript(41234);
    for (const host of ['alice.azero', 'x.a0', 'azero', 'a0', 'tzero.com', 'alice.azero.', 'ALICE.TZERO', 'a.azero.x', '.azero'])
      expect(isSiteHost(host), host).toBe(route(script, host) !== 'DIRECT');
  });
});

describe('the guard while Firefox may not route sites', () => {
  it('blocks every kind of request, the top frame included, to the site TLDs and nothing else', () => {
    const rule = siteGuardRule();
    expect(rule.id).toBe(SITE_GUARD_RULE_ID);
    expect(rule.action).toEqual({ type: 'block' });
    expect(rule.condition.requestDomains).toEqual(['azero', 'a0', 'tzero']);
    expect(rule.condition.resourceTypes).toContain('main_frame');
    expect(rule.condition.resourceTypes).toContain('websocket');
  });
});
