import DHT from 'hyperdht';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkError } from '../../../lib/links/errors';
import { createLinkPayload, linkUrl } from '../../../lib/links/link';
import { LINK_MESSAGE_TYPES, createLinkChecker, linkMessage, payloadInHref, payloadsInText } from '../../../lib/links/scan';
import { encodeNodeId } from '../../../lib/node-id';

// The pure parts of scanning: checking with a cache, finding links cheaply and safely, and
// the only messages that may leave the page. The DOM parts run in Chromium
// (tests/e2e/messenger-links.test.ts).

const alice = DHT.keyPair(Buffer.alloc(32, 1));
const NOW_S = 1_790_000_000;
const NOW_MS = NOW_S * 1000;
const HOSTS = ['copybara.network'];
let n = 0;
function payload(over: { createdAt?: number; lifetimeS?: number; name?: string } = {}): string {
  const invitation = Buffer.alloc(8);
  invitation.writeUInt32BE(++n, 4);
  return createLinkPayload({ secretKey: alice.secretKey, invitation, createdAt: NOW_S, lifetimeS: 3600, ...over });
}

describe('link checker', () => {
  it('decodes each payload text once and checks time on every call', () => {
    const checker = createLinkChecker();
    const p = payload({ name: 'alice.azero' });
    const first = checker.check(p, NOW_MS + 1000);
    expect(first).toMatchObject({ ok: true, payload: p, link: { caller: encodeNodeId(alice.publicKey), name: 'alice.azero' } });
    expect(checker.isCached(p)).toBe(true);
    for (let i = 0; i < 100; i++) checker.check(p, NOW_MS + 1000);
    expect(checker.decodes).toBe(1);
    // The same cached link expires when its time comes.
    expect(checker.check(p, NOW_MS + 3600 * 1000)).toMatchObject({ ok: false, code: 'EXPIRED' });
    expect(checker.check(p, NOW_MS - 3600 * 1000)).toMatchObject({ ok: false, code: 'NOT_YET_VALID' });
    expect(checker.decodes).toBe(1);
  });

  it('caches refusals too, with the reason', () => {
    const checker = createLinkChecker();
    const p = payload();
    const tampered = p.slice(0, 20) + (p[20] === 'A' ? 'B' : 'A') + p.slice(21);
    expect(checker.check(tampered, NOW_MS)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE', message: expect.stringMatching(/altered/) });
    expect(checker.check(tampered, NOW_MS)).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    expect(checker.decodes).toBe(1);
  });

  it('refuses oversized text before decoding it and never keeps it', () => {
    const checker = createLinkChecker();
    const huge = 'A'.repeat(1_000_000);
    expect(checker.check(huge, NOW_MS)).toMatchObject({ ok: false, code: 'TOO_LARGE' });
    expect(checker.decodes).toBe(0);
    expect(checker.isCached(huge)).toBe(true); // i.e. costs nothing: the scanner need not budget it
  });

  it('holds a bounded number of entries', () => {
    const checker = createLinkChecker(10);
    const junk = Array.from({ length: 50 }, (_, i) => `${'B'.repeat(160)}${i.toString(36).padStart(4, 'A')}`);
    for (const j of junk) checker.check(j, NOW_MS);
    expect(junk.filter((j) => checker.isCached(j))).toEqual(junk.slice(-10));
  });

  it('fuzz: any text gives a verdict, never a throw', () => {
    const checker = createLinkChecker(100);
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), fc.integer({ min: 0, max: 2 ** 33 }), (text, now) => {
        const v = checker.check(text, now);
        expect(v.payload).toBe(text);
        if (!v.ok) expect(typeof v.message).toBe('string');
      }),
      { numRuns: 5000 },
    );
  });
});

describe('finding links cheaply', () => {
  const p = payload();
  it('finds links in text, and skips text that cannot hold one without a regular expression', () => {
    expect(payloadsInText(`hi copybara:${p} and ${linkUrl(p)}.`)).toEqual([p, p]);
    expect(payloadsInText('no links here, just copybara and a /call')).toEqual([]);
    expect(payloadsInText(`copybara:${'A'.repeat(100_000)}`)).toEqual([]);
  });

  it('looks at a bounded part of a text node and a bounded number of links in it', () => {
    expect(payloadsInText(`${'x'.repeat(30_000)} copybara:${p}`)).toEqual([]);
    expect(payloadsInText(`copybara:${p} `.repeat(1000))).toHaveLength(20);
  });

  it('reads direct and redirect-wrapped addresses, nothing else', () => {
    const url = linkUrl(p);
    expect(payloadInHref(url, HOSTS)).toBe(p);
    expect(payloadInHref(`https://slack-redir.net/link?url=${encodeURIComponent(url)}`, HOSTS)).toBe(p);
    expect(
      payloadInHref(`https://eur01.safelinks.protection.outlook.com/?url=${encodeURIComponent(url)}&data=05%7C02&reserved=0`, HOSTS),
    ).toBe(p);
    expect(payloadInHref(url.replace('copybara.network', 'evil.example'), HOSTS)).toBeNull();
    expect(payloadInHref(linkUrl(p, 'calls.example.org'), ['calls.example.org'])).toBe(p); // a configured host
    expect(payloadInHref('https://copybara.network/call', HOSTS)).toBeNull();
    expect(payloadInHref('https://copybara.network/', HOSTS)).toBeNull();
    expect(payloadInHref('https://example.org/news?id=7', HOSTS)).toBeNull();
    expect(payloadInHref(`https://l.example/?u=${'https%3A%2F%2F'.repeat(5000)}call`, HOSTS)).toBeNull();
    expect(payloadInHref(`https://copybara.network/call#${'A'.repeat(600)}`, HOSTS)).toBeNull();
  });
});

describe('messages that leave the page', () => {
  const p = payload();
  it('carry a type and link text, nothing else', () => {
    for (const type of LINK_MESSAGE_TYPES) expect(linkMessage({ type, payload: p })).toEqual({ type, payload: p });
    expect(LINK_MESSAGE_TYPES).toEqual(['open-link', 'answer-link', 'link-status']);
  });

  it('refuse anything more, anything else, and anything that is not link text', () => {
    const bad: unknown[] = [
      null,
      'open-link',
      [p],
      { type: 'open-link' },
      { type: 'open-link', payload: p, url: 'https://web.telegram.org/k/#@alice' },
      { type: 'open-link', payload: p, text: 'the message around it' },
      { type: 'dial', payload: p },
      { type: 'open-link', payload: 42 },
      { type: 'open-link', payload: '' },
      { type: 'open-link', payload: `${p} and the rest of the message` },
      { type: 'open-link', payload: 'A'.repeat(513) },
      { type: 'open-link', payload: linkUrl(p) },
    ];
    for (const value of bad) expect(() => linkMessage(value), JSON.stringify(value)?.slice(0, 80)).toThrow(LinkError);
  });
});
