import { describe, expect, it } from 'vitest';
import { incomingNotice } from '../../../entrypoints/background/incoming-notice';
import type { Verification } from '../../../lib/ext/verification';
import { encodeNodeId, shortNodeId } from '../../../lib/node-id';

const PEER = encodeNodeId(new Uint8Array(32).fill(7));
// Control characters are exactly what this looks for.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\u2028\u2029\ufeff]/u;
// What a hostile caller may put in the name it claims in its ring.
const CLAIM = `\u202eorez\u0061.ecila\u2066\u2069\u200e\u200f\nAnswer now!\t\u200b${'w'.repeat(253)}`;

function lines(v: Verification | null): string[] {
  const n = incomingNotice({ peer: PEER }, v);
  return [n.message, n.contextMessage ?? ''];
}

describe('incomingNotice', () => {
  it('an unverifiable claim: said as a claim, with none of its control characters, and short', () => {
    const v: Verification = { status: 'unverifiable', name: CLAIM, error: { code: 'CHAIN_UNREACHABLE', message: 'down' } };
    const [message, context] = lines(v);
    expect(message).toBe(`Incoming call from ${shortNodeId(PEER)}`);
    expect(context).toMatch(/^claims oreza\.ecila Answer now! w+… \(could not be checked: the name service is not reachable\)$/);
    expect(context).not.toMatch(FORBIDDEN);
    expect(context).not.toContain('w'.repeat(64));
  });

  it('a claim being checked, a mismatch and an error message quoting the claim are cleaned too', () => {
    const all: Verification[] = [
      { status: 'checking', name: CLAIM },
      { status: 'mismatch', name: CLAIM, reason: 'other-node' },
      { status: 'unverifiable', name: CLAIM, error: { code: 'CHAIN_UNREACHABLE', message: `could not look up ${CLAIM}` } },
    ];
    for (const v of all) {
      for (const line of lines(v)) {
        expect(line).not.toMatch(FORBIDDEN);
        expect(Array.from(line).length).toBeLessThanOrEqual(200);
      }
    }
  });

  it('a verified name names the caller, with the node under it', () => {
    const v: Verification = { status: 'verified', name: 'bob.azero', verifiedAt: 1, fromCache: false };
    expect(incomingNotice({ peer: PEER }, v)).toEqual({
      message: 'Incoming call from bob.azero',
      contextMessage: `node ${shortNodeId(PEER)}`,
    });
  });

  it('no claim: the node id only', () => {
    expect(incomingNotice({ peer: PEER }, null)).toEqual({ message: `Incoming call from ${shortNodeId(PEER)}` });
  });
});
