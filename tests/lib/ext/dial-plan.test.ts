import { describe, expect, it } from 'vitest';
import type { Contact } from '../../../lib/ext/contacts';
import { planAfterLookup, planAfterLookupFailure } from '../../../lib/ext/dial-plan';
import type { NameTarget } from '../../../lib/ext/target';
import { encodeNodeId } from '../../../lib/node-id';
import { resolution } from '../../../testkit/ext/fakes';
import { ALICE, BOB } from '../../../testkit/ext/fixtures';
import type { ErrorInfo } from '../../../lib/errors';

const CAROL = encodeNodeId(new Uint8Array(32).fill(9));
const H = 3600_000;
const NOW = 1_700_000_000_000 + 3 * H;
const name = { label: 'bob', tld: 'azero', chain: 'azero' as const, full: 'bob.azero' };
const contact: Contact = { id: 'c0000001', nickname: 'Bob', name: 'bob.azero', nodeId: null, lastNodeId: BOB };
const plain: NameTarget = { ok: true, kind: 'name', name, contact: null };
const asContact: NameTarget = { ...plain, contact };

describe('planAfterLookup', () => {
  it('dials the node the name points to', () => {
    expect(planAfterLookup(plain, resolution('bob.azero', BOB), ALICE, NOW)).toEqual({
      kind: 'dial',
      nodeId: BOB,
      name: 'bob.azero',
      note: null,
    });
    expect(planAfterLookup(asContact, resolution('bob.azero', BOB), ALICE, NOW)).toMatchObject({ kind: 'dial', nodeId: BOB });
  });

  it('says when the answer is a saved one because the chain is away', () => {
    expect(planAfterLookup(plain, resolution('bob.azero', BOB, { fromCache: true }), ALICE, NOW)).toEqual({
      kind: 'dial',
      nodeId: BOB,
      name: 'bob.azero',
      note: 'Using the saved address of bob.azero, last verified 3 h ago (the name service is not reachable).',
    });
  });

  it('asks first when a contact’s name now points to a different node', () => {
    expect(planAfterLookup(asContact, resolution('bob.azero', CAROL), ALICE, NOW)).toEqual({
      kind: 'confirm',
      nodeId: CAROL,
      name: 'bob.azero',
      note: null,
      message: 'bob.azero now points to a different node than last time. Call anyway?',
    });
  });

  it('stops for no node id, or our own', () => {
    expect(planAfterLookup(plain, resolution('bob.azero', null), ALICE, NOW)).toEqual({
      kind: 'stop',
      message: 'bob.azero has no node id on record. Ask its owner for their node id.',
    });
    expect(planAfterLookup(plain, resolution('bob.azero', ALICE), ALICE, NOW)).toEqual({
      kind: 'stop',
      message: 'bob.azero points to your own node.',
    });
  });
});

describe('planAfterLookupFailure', () => {
  const unreachable: ErrorInfo = {
    code: 'CHAIN_UNREACHABLE',
    message: 'The name service could not be reached at wss://ws.azero.dev: no answer',
  };

  it('reaches a contact at its saved node when the chain is away, saying so', () => {
    expect(planAfterLookupFailure(asContact, unreachable, ALICE)).toEqual({
      kind: 'dial',
      nodeId: BOB,
      name: null,
      note: `The name service is not reachable; calling Bob at the node id saved for bob.azero (${BOB.slice(0, 4)}…${BOB.slice(-4)}).`,
    });
  });

  it('does not fall back for a name that is gone, or for a stranger', () => {
    expect(
      planAfterLookupFailure(asContact, { code: 'NAME_NOT_REGISTERED', message: 'bob.azero is not registered (or has expired)' }, ALICE),
    ).toEqual({
      kind: 'stop',
      message: 'bob.azero is not registered (or has expired).',
    });
    expect(planAfterLookupFailure(plain, unreachable, ALICE)).toMatchObject({
      kind: 'stop',
      message: expect.stringMatching(/wss:\/\/ws\.azero\.dev/),
    });
  });
});
