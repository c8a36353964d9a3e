import DHT from 'hyperdht';
import { describe, expect, it } from 'vitest';
import { replyError, verifiedName } from '../../../entrypoints/messenger.content/replies';
import { badgeText, displayName, expiresIn, reasonInWords } from '../../../lib/links/decorate';
import type { LinkErrorCode } from '../../../lib/links/errors';
import { createLinkPayload } from '../../../lib/links/link';
import { createLinkChecker } from '../../../lib/links/scan';
import { encodeNodeId, shortNodeId } from '../../../lib/node-id';

// What a badge says. The element itself is exercised in Chromium (tests/e2e).

const alice = DHT.keyPair(Buffer.alloc(32, 1));
const ALICE = encodeNodeId(alice.publicKey);
const NOW_S = 1_790_000_000;
const NOW_MS = NOW_S * 1000;

function verdict(over: { name?: string; createdAt?: number } = {}) {
  const p = createLinkPayload({
    secretKey: alice.secretKey,
    invitation: Buffer.alloc(8, 3),
    createdAt: NOW_S,
    lifetimeS: 3 * 3600,
    ...over,
  });
  return createLinkChecker().check(p, NOW_MS + 1000);
}

describe('badge text', () => {
  it('names the node and shows the name only as a claim', () => {
    expect(badgeText(verdict({ name: 'alice.azero' }), NOW_MS)).toEqual({
      label: `Copybara call from node ${shortNodeId(ALICE)} (claims alice.azero)`,
      tooltip: `Node ${ALICE}. Expires in 3 h. The name is what the link claims; Copybara checks it when you answer.`,
      answerable: true,
    });
    expect(badgeText(verdict(), NOW_MS).label).toBe(`Copybara call from node ${shortNodeId(ALICE)}`);
  });

  it('shows a name as verified only when the background says so', () => {
    expect(badgeText(verdict({ name: 'alice.azero' }), NOW_MS, 'alice.azero').label).toBe(
      `Copybara call from alice.azero ✓ / node ${shortNodeId(ALICE)}`,
    );
  });

  it('says in words why a link cannot be answered, with no Answer', () => {
    const expired = createLinkChecker().check(
      createLinkPayload({ secretKey: alice.secretKey, invitation: Buffer.alloc(8, 4), createdAt: NOW_S - 7200, lifetimeS: 3600 }),
      NOW_MS,
    );
    expect(badgeText(expired, NOW_MS)).toMatchObject({ label: 'Copybara call link: expired; ask for a new one', answerable: false });
    const codes: LinkErrorCode[] = [
      'MALFORMED',
      'TOO_LARGE',
      'UNSUPPORTED_VERSION',
      'BAD_SIGNATURE',
      'EXPIRED',
      'NOT_YET_VALID',
      'WRONG_CALLEE',
    ];
    const words = codes.map(reasonInWords);
    expect(new Set(words).size).toBe(codes.length);
    expect(words).toEqual([
      expect.stringMatching(/malformed/),
      expect.stringMatching(/too long/),
      expect.stringMatching(/newer Copybara/),
      expect.stringMatching(/tampered/),
      expect.stringMatching(/expired/),
      expect.stringMatching(/not valid yet/),
      expect.stringMatching(/someone else/),
    ]);
  });

  it('shows claimed names without tricks: no control or bidi characters, bounded length', () => {
    expect(displayName('alice.azero')).toBe('alice.azero');
    expect(displayName('\u202eorez\u0061.ecila')).toBe('oreza.ecila'); // right-to-left override dropped
    expect(displayName('ali\u200bce\u0000.azero')).toBe('alice.azero');
    expect(displayName('  alice\n\n\tbob  ')).toBe('alice bob');
    expect(displayName('ä'.repeat(100))).toBe(`${'ä'.repeat(63)}…`);
    expect(displayName('😀'.repeat(70))).toBe(`${'😀'.repeat(63)}…`); // counted in characters, not halves
  });

  it('says when a link expires', () => {
    expect(expiresIn(NOW_S + 30, NOW_MS)).toBe('in less than a minute');
    expect(expiresIn(NOW_S + 600, NOW_MS)).toBe('in 10 min');
    expect(expiresIn(NOW_S + 5 * 3600, NOW_MS)).toBe('in 5 h');
    expect(expiresIn(NOW_S + 6 * 86400, NOW_MS)).toBe('in 6 days');
    expect(expiresIn(NOW_S, NOW_MS)).toBe('expired');
  });
});

describe('replies from the background', () => {
  it('an error reply becomes a reason; anything else is none', () => {
    expect(replyError({ ok: false, error: { code: 'X', message: 'the node is not running' } })).toBe('the node is not running');
    expect(replyError({ ok: false })).toBe('the extension refused');
    expect(replyError({ ok: false, error: { message: `a\u202e${'b'.repeat(500)}` } })).toHaveLength(200);
    for (const other of [undefined, null, 'no', { ok: true, result: null }, []]) expect(replyError(other)).toBeNull();
  });

  it('a name counts as verified only in the exact shape', () => {
    expect(verifiedName({ ok: true, result: { name: 'alice.azero', verified: true } })).toBe('alice.azero');
    for (const other of [
      undefined,
      { ok: true, result: { name: 'alice.azero', verified: 'yes' } },
      { ok: true, result: { name: 'alice.azero' } },
      { ok: false, result: { name: 'alice.azero', verified: true } },
      { ok: true, result: { name: '', verified: true } },
      { ok: true, result: { name: 'x'.repeat(254), verified: true } },
    ]) {
      expect(verifiedName(other)).toBeNull();
    }
  });
});
