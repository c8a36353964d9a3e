import { describe, expect, it } from 'vitest';
import { formatProxyServer, parseProxyServer } from '../../../lib/ext/proxy-server';

describe('the proxy for other sites, as typed', () => {
  it('reads host:port, an http:// address and a bracketed IPv6 address', () => {
    expect(parseProxyServer('proxy.example.com:3128')).toEqual({ ok: true, server: { host: 'proxy.example.com', port: 3128 } });
    expect(parseProxyServer('  HTTP://Proxy.Corp:8080/ ')).toEqual({ ok: true, server: { host: 'proxy.corp', port: 8080 } });
    expect(parseProxyServer('10.1.2.3:80')).toEqual({ ok: true, server: { host: '10.1.2.3', port: 80 } });
    expect(parseProxyServer('[fd00::1]:3128')).toEqual({ ok: true, server: { host: 'fd00::1', port: 3128 } });
  });

  it('empty means none', () => {
    expect(parseProxyServer('')).toEqual({ ok: true, server: null });
    expect(parseProxyServer('   ')).toEqual({ ok: true, server: null });
  });

  it('refuses what is not a host and port, saying what to write', () => {
    const cases: [string, RegExp][] = [
      ['proxy.example.com', /host:port/],
      ['proxy:0', /1 to 65535/],
      ['proxy:65536', /1 to 65535/],
      ['proxy:80a', /1 to 65535/],
      [':3128', /no host/],
      ['fd00::1:3128', /\[address\]:port/],
      ['[fd00::1]3128', /\[address\]:port/],
      ['[zz::1]:80', /not an IPv6 address/],
      ['socks5://proxy:1080', /Only an HTTP proxy/],
      ['https://proxy:443', /Only an HTTP proxy/],
      ['pro xy:80', /not a host name/],
      ['proxy";alert(1);":80', /not a host name/],
      ['-proxy.corp:80', /not a host name/],
      ['a'.repeat(301), /too long/],
    ];
    for (const [input, message] of cases) {
      const r = parseProxyServer(input);
      expect(r.ok, input).toBe(false);
      if (!r.ok) expect(r.message, input).toMatch(message);
    }
  });

  it('formats what it read back the same way', () => {
    for (const text of ['proxy.example.com:3128', '10.1.2.3:80', '[fd00::1]:3128']) {
      const r = parseProxyServer(text);
      expect(r.ok && r.server && formatProxyServer(r.server)).toBe(text);
    }
  });
});
