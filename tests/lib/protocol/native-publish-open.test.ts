import { describe, expect, it } from 'vitest';
import { PUBLISH_URL, decodePublishOpened, decodeRequest } from '../../../lib/protocol/native';

const ENDPOINTS = { azero: ['wss://ws.azero.dev'], tzero: ['wss://ws.test.azero.dev', 'ws://127.0.0.1:9944'] };

function open(extra: Record<string, unknown>) {
  return decodeRequest({ v: 1, id: 5, type: 'publish-open', endpoints: ENDPOINTS, ...extra });
}

describe('publish-open', () => {
  it('decodes the request, with and without a name', () => {
    expect(open({})).toEqual({ v: 1, id: 5, type: 'publish-open', endpoints: ENDPOINTS });
    expect(open({ name: 'bob.azero' })).toEqual({ v: 1, id: 5, type: 'publish-open', endpoints: ENDPOINTS, name: 'bob.azero' });
    expect(open({ name: null })).toEqual({ v: 1, id: 5, type: 'publish-open', endpoints: ENDPOINTS });
    // One chain may have none, as long as the other has some.
    expect(open({ endpoints: { azero: [], tzero: ['wss://a.example'] } })).toMatchObject({
      endpoints: { azero: [], tzero: ['wss://a.example'] },
    });
  });

  it('refuses endpoints that are not ws:// or wss:// addresses, in words', () => {
    const bad: [unknown, RegExp][] = [
      [undefined, /endpoints is not an object/],
      [['wss://ws.azero.dev'], /endpoints is not an object/],
      [{ azero: 'wss://ws.azero.dev', tzero: [] }, /endpoints\.azero must be a list of ws:\/\/ or wss:\/\/ addresses/],
      [{ azero: ['wss://a.example'] }, /endpoints\.tzero must be a list/],
      [{ azero: [], tzero: [] }, /at least one chain endpoint/],
      [{ azero: [42], tzero: [] }, /endpoints\.azero\[0\] must be text/],
      [{ azero: ['https://ws.azero.dev'], tzero: [] }, /endpoints\.azero\[0\] must be a ws:\/\/ or wss:\/\/ address/],
      [{ azero: ['javascript:alert(1)'], tzero: [] }, /must be a ws:\/\/ or wss:\/\/ address/],
      [{ azero: ['wss://a.example; script-src *'], tzero: [] }, /must be a ws:\/\/ or wss:\/\/ address/],
      [{ azero: ["wss://a.example'unsafe-inline'"], tzero: [] }, /must be a ws:\/\/ or wss:\/\/ address/],
      [{ azero: ['wss://a.example,b.example'], tzero: [] }, /must be a ws:\/\/ or wss:\/\/ address/],
      [{ azero: ['wss://a.example#x'], tzero: [] }, /must be a ws:\/\/ or wss:\/\/ address/],
      [{ azero: ['wss://'], tzero: [] }, /endpoints\.azero\[0\] must be a ws:\/\/ or wss:\/\/ address/],
      [
        { azero: ['wss://[::1'], tzero: [] },
        /endpoints\.azero\[0\] must be a ws:\/\/ or wss:\/\/ address: "wss:\/\/\[::1" is not an address/,
      ],
      [{ azero: ['wss://*'], tzero: [] }, /endpoints\.azero\[0\] .*contains a wildcard/],
      [{ azero: ['wss://*.azero.dev'], tzero: [] }, /contains a wildcard/],
      [
        { azero: [], tzero: ['ws://rpc.example.org:9944'] },
        /endpoints\.tzero\[0\] .*is not encrypted: ws:\/\/ is only for a node on this computer/,
      ],
      [{ azero: [], tzero: ['ws://10.0.0.1:9944'] }, /is not encrypted/],
      [{ azero: [], tzero: ['ws://127.0.0.1.evil.example'] }, /is not encrypted/],
      [{ azero: ['wss://user:pw@a.example'], tzero: [] }, /must not contain a user name or password/],
      [{ azero: [`wss://${'a'.repeat(600)}.example`], tzero: [] }, /at most 512 characters/],
      [{ azero: Array.from({ length: 9 }, (_, i) => `wss://n${i}.example`), tzero: [] }, /more than 8 addresses/],
    ];
    for (const [endpoints, message] of bad) {
      expect(() => open({ endpoints }), JSON.stringify(endpoints)).toThrow(
        expect.objectContaining({ code: 'BAD_MESSAGE', message: expect.stringMatching(message) }),
      );
    }
    expect(() => open({ name: 'x'.repeat(300) })).toThrow(/"name" is longer than/);
    expect(() => open({ name: 7 })).toThrow(/"name" must be text/);
  });

  it('accepts as a reply only a page on 127.0.0.1 under /publish/SECRET/', () => {
    const url = `http://127.0.0.1:40123/publish/${'A'.repeat(32)}/`;
    expect(decodePublishOpened({ url, expiresAt: 1 })).toEqual({ url, expiresAt: 1 });
    for (const bad of [
      'https://evil.example/publish/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/',
      'http://localhost:40123/publish/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/',
      'http://127.0.0.1:40123/publish/short/',
      'http://127.0.0.1:40123/publish/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/x',
      'http://127.0.0.1.evil.example:40123/publish/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/',
      'http://127.0.0.1:40123@evil.example/publish/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/',
    ]) {
      expect(PUBLISH_URL.test(bad), bad).toBe(false);
      expect(() => decodePublishOpened({ url: bad, expiresAt: 1 })).toThrow(/"url" is malformed/);
    }
    expect(() => decodePublishOpened({ url })).toThrow(/"expiresAt"/);
  });
});
