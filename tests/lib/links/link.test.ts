import DHT from 'hyperdht';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../lib/node-id';
import { decodeBase64url, encodeBase64url } from '../../../lib/links/base64url';
import { LinkError } from '../../../lib/links/errors';
import { findLinksInText, payloadFromHref } from '../../../lib/links/find';
import { type LinkDraft, checkLink, createLinkPayload, decodeLinkPayload, linkUrl } from '../../../lib/links/link';

const alice = DHT.keyPair(Buffer.alloc(32, 1));
const bob = DHT.keyPair(Buffer.alloc(32, 2));
const NOW = 1_790_000_000;

function draft(over: Partial<LinkDraft> = {}): LinkDraft {
  return { secretKey: alice.secretKey, invitation: Buffer.alloc(8, 9), createdAt: NOW, lifetimeS: 3600, ...over };
}

function rejects(payload: string): LinkError {
  try {
    decodeLinkPayload(payload);
  } catch (err) {
    expect(err).toBeInstanceOf(LinkError);
    return err as LinkError;
  }
  throw new Error(`accepted ${payload}`);
}

describe('base64url', () => {
  it('round-trips and has one text per byte string', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        const t = encodeBase64url(b);
        expect(t).toBe(Buffer.from(b).toString('base64url'));
        expect(Buffer.from(decodeBase64url(t)!)).toEqual(Buffer.from(b));
      }),
    );
    expect(decodeBase64url('QR')).toBeNull(); // spare bits set: 'QQ' is the canonical text
    expect(decodeBase64url('QQ')).toEqual(Uint8Array.of(0x41));
    expect(decodeBase64url('Q')).toBeNull();
    expect(decodeBase64url('QQ==')).toBeNull();
    expect(decodeBase64url('Q+')).toBeNull();
  });
});

describe('call link codec', () => {
  it('round-trips every field and stays short enough to paste', () => {
    const payload = createLinkPayload(draft({ callee: encodeNodeId(bob.publicKey), name: 'alice.azero' }));
    const link = decodeLinkPayload(payload);
    expect(link).toEqual({
      caller: encodeNodeId(alice.publicKey),
      invitation: '0909090909090909',
      createdAt: NOW,
      expiresAt: NOW + 3600,
      callee: encodeNodeId(bob.publicKey),
      name: 'alice.azero',
    });
    expect(linkUrl(payload).length).toBeLessThan(300);
    expect(linkUrl(createLinkPayload(draft())).length).toBeLessThan(200);
    expect(decodeLinkPayload(createLinkPayload(draft({ name: 'ünïcode.a0' }))).name).toBe('ünïcode.a0');
  });

  it('rejects every single-byte change of a valid link', () => {
    const payload = createLinkPayload(draft({ callee: encodeNodeId(bob.publicKey), name: 'alice.azero' }));
    const bytes = decodeBase64url(payload)!;
    for (let i = 0; i < bytes.length; i++) {
      for (const delta of [1, 0x80, 0xff]) {
        const changed = bytes.slice();
        changed[i] = (changed[i]! + delta) & 0xff;
        rejects(encodeBase64url(changed));
      }
    }
  });

  it('rejects any change to the payload text: one payload, one text', () => {
    const payload = createLinkPayload(draft({ name: 'alice.azero' }));
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let i = 0; i < payload.length; i++) {
      const other = alphabet[(alphabet.indexOf(payload[i]!) + 1 + (i % 63)) % 64]!;
      rejects(payload.slice(0, i) + other + payload.slice(i + 1));
    }
    rejects(payload + 'A');
    rejects(payload.slice(0, -1));
    rejects(payload + '=');
  });

  it('says why a link cannot be answered', () => {
    const link = decodeLinkPayload(createLinkPayload(draft({ callee: encodeNodeId(bob.publicKey) })));
    expect(() => checkLink(link, NOW + 3600, null)).toThrow(expect.objectContaining({ code: 'EXPIRED' }));
    expect(() => checkLink(link, NOW - 3600, null)).toThrow(expect.objectContaining({ code: 'NOT_YET_VALID' }));
    expect(() => checkLink(link, NOW + 10, encodeNodeId(alice.publicKey))).toThrow(expect.objectContaining({ code: 'WRONG_CALLEE' }));
    expect(checkLink(link, NOW + 10, encodeNodeId(bob.publicKey))).toBe(link);
    expect(rejects('A'.repeat(600)).code).toBe('TOO_LARGE');
    expect(rejects('A'.repeat(200)).code).toBe('UNSUPPORTED_VERSION');
  });

  it('a link re-signed by another key names that key, not the first maker', () => {
    const forged = decodeLinkPayload(createLinkPayload(draft({ secretKey: bob.secretKey, name: 'alice.azero' })));
    expect(forged.name).toBe('alice.azero');
    expect(forged.caller).toBe(encodeNodeId(bob.publicKey));
  });

  it('refuses bad drafts', () => {
    expect(() => createLinkPayload(draft({ lifetimeS: 10 }))).toThrow(LinkError);
    expect(() => createLinkPayload(draft({ invitation: Buffer.alloc(4) }))).toThrow(LinkError);
    expect(() => createLinkPayload(draft({ name: 'x'.repeat(300) }))).toThrow(LinkError);
  });

  it('fuzz: 10,000 random inputs are refused with a LinkError, never a crash (npm run fuzz runs 100,000)', () => {
    const valid = decodeBase64url(createLinkPayload(draft({ name: 'alice.azero' })))!;
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 700 }),
          fc.uint8Array({ minLength: 100, maxLength: 400 }).map((b) => encodeBase64url(b)),
          fc.uint8Array({ minLength: 1, maxLength: 20 }).map((noise) => {
            const b = valid.slice();
            for (let i = 0; i < noise.length; i++) {
              const at = noise[i]! % b.length;
              b[at] = b[at]! ^ (noise[(i + 1) % noise.length]! | 1);
            }
            return encodeBase64url(b);
          }),
        ),
        (text) => {
          try {
            decodeLinkPayload(text);
          } catch (err) {
            expect(err).toBeInstanceOf(LinkError);
          }
        },
      ),
      { numRuns: 10_000 },
    );
  }, 120_000);
});

describe('finding links', () => {
  const payload = createLinkPayload(draft());
  it('finds links in text and in addresses, also behind redirects', () => {
    const text = `call me: ${linkUrl(payload)} or copybara:${payload}.`;
    expect(findLinksInText(text).map((f) => f.payload)).toEqual([payload, payload]);
    expect(payloadFromHref(linkUrl(payload), ['copybara.network'])).toBe(payload);
    const wrapped = `https://l.example.com/?u=${encodeURIComponent(linkUrl(payload))}&h=x`;
    expect(payloadFromHref(wrapped, ['copybara.network'])).toBe(payload);
    expect(payloadFromHref(linkUrl(payload).replace('copybara.network', 'evil.example'), ['copybara.network'])).toBeNull();
    expect(payloadFromHref('not a url', ['copybara.network'])).toBeNull();
  });

  it('stays bounded on hostile text', () => {
    const flood = `copybara:${payload} `.repeat(10_000);
    expect(findLinksInText(flood, 50)).toHaveLength(50);
    expect(findLinksInText('https://x/call#' + 'A'.repeat(100_000))).toEqual([]);
  });
});
