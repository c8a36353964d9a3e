import DHT from 'hyperdht';
import { describe, expect, it } from 'vitest';
import { asLinkMessage, checkPayload, nameDecision, payloadFromMenu, payloadFromNavigation } from '../../../lib/ext/link-flow';
import { createLinkPayload, decodeLinkPayload, linkUrl } from '../../../lib/links/link';
import { encodeNodeId } from '../../../lib/node-id';
import { resolution } from '../../../testkit/ext/fakes';

// The pure decisions of answering a call link (lib/ext/link-flow.ts).

const alice = DHT.keyPair(Buffer.alloc(32, 1));
const mallory = DHT.keyPair(Buffer.alloc(32, 3));
const ALICE = encodeNodeId(alice.publicKey);
const NOW = 1_790_000_000;

function payload(over: { name?: string; secretKey?: Uint8Array; createdAt?: number; callee?: string } = {}): string {
  return createLinkPayload({ secretKey: alice.secretKey, invitation: Buffer.alloc(8, 5), createdAt: NOW - 60, lifetimeS: 3600, ...over });
}

describe('link messages', () => {
  it('takes exactly {type, payload} messages', () => {
    const p = payload();
    expect(asLinkMessage({ type: 'answer-link', payload: p })).toEqual({ type: 'answer-link', payload: p });
    expect(asLinkMessage({ type: 'answer-link', payload: p, url: 'x' })).toBeNull();
    expect(asLinkMessage({ type: 'call', target: ALICE })).toBeNull();
    expect(asLinkMessage({ type: 'open-link', payload: 'not link text!' })).toBeNull();
  });
});

describe('may this link be answered', () => {
  it('answers a valid link and refuses with words otherwise', () => {
    const ok = checkPayload(payload(), NOW, null);
    expect(ok.ok && ok.link.caller).toBe(ALICE);
    expect(checkPayload(payload({ createdAt: NOW - 7200 }), NOW, null)).toEqual({
      ok: false,
      message: 'This call link has expired; ask for a new one.',
    });
    const p = payload();
    const tampered = p.slice(0, 20) + (p[20] === 'A' ? 'B' : 'A') + p.slice(21);
    expect(checkPayload(tampered, NOW, null)).toMatchObject({ ok: false, message: expect.stringMatching(/^This call link was altered/) });
    const bob = encodeNodeId(Buffer.alloc(32, 7));
    expect(checkPayload(payload({ callee: bob }), NOW, encodeNodeId(Buffer.alloc(32, 8)))).toEqual({
      ok: false,
      message: 'This call link was made for someone else.',
    });
    expect(checkPayload(payload(), NOW, ALICE)).toEqual({ ok: false, message: 'This is your own call link.' });
  });
});

describe('the name a link claims', () => {
  const link = decodeLinkPayload(payload({ name: 'alice.azero' }));

  it('no name: answer, nothing to verify', () => {
    expect(nameDecision(decodeLinkPayload(payload()), null)).toMatchObject({
      kind: 'answer',
      report: { name: null, verified: false, status: 'none' },
    });
  });

  it("verified when the name points to the link's key", () => {
    const d = nameDecision(link, { ok: true, resolution: resolution('alice.azero', ALICE) });
    expect(d).toMatchObject({
      kind: 'answer',
      report: { name: 'alice.azero', verified: true, status: 'verified' },
      verification: { status: 'verified' },
    });
  });

  it('refused when the name points elsewhere or nowhere: a re-signed link claiming Alice is not Alice', () => {
    const forged = decodeLinkPayload(payload({ name: 'alice.azero', secretKey: mallory.secretKey }));
    const d = nameDecision(forged, { ok: true, resolution: resolution('alice.azero', ALICE) });
    expect(d).toEqual({ kind: 'refuse', message: "This link claims alice.azero but was not made by that name's node." });
    expect(nameDecision(link, { ok: false, error: { code: 'NAME_NOT_REGISTERED', message: 'x' } })).toMatchObject({ kind: 'refuse' });
  });

  it('unverifiable when the chain does not answer: answered as a claim, with why', () => {
    const d = nameDecision(link, { ok: false, error: { code: 'CHECK_TIMEOUT', message: 'no answer within 10 s' } });
    expect(d).toMatchObject({
      kind: 'answer',
      report: {
        name: 'alice.azero',
        verified: false,
        status: 'unverifiable',
        message: 'claims alice.azero (could not be checked: no answer within 10 s)',
      },
    });
    // A saved answer that disagrees is not proof enough either way.
    const cached = nameDecision(link, {
      ok: true,
      resolution: resolution('alice.azero', encodeNodeId(Buffer.alloc(32, 9)), { fromCache: true }),
    });
    expect(cached).toMatchObject({ kind: 'answer', report: { status: 'unverifiable' } });
  });
});

describe('where the payload comes from', () => {
  const p = payload();
  it('context menu: a link, a wrapped link or selected text', () => {
    expect(payloadFromMenu({ linkUrl: linkUrl(p) })).toBe(p);
    expect(payloadFromMenu({ linkUrl: `https://slack-redir.net/link?url=${encodeURIComponent(linkUrl(p))}` })).toBe(p);
    expect(payloadFromMenu({ selectionText: `call me: copybara:${p} thanks` })).toBe(p);
    expect(payloadFromMenu({ selectionText: 'nothing here' })).toBeNull();
    expect(payloadFromMenu({ linkUrl: 'https://example.com/', selectionText: linkUrl(p) })).toBe(p);
  });

  it("navigation: only the default host's /call address", () => {
    expect(payloadFromNavigation(linkUrl(p))).toBe(p);
    expect(payloadFromNavigation(`https://copybara.network/other#${p}`)).toBeNull();
    expect(payloadFromNavigation(`https://evil.example/call#${p}`)).toBeNull();
  });
});
