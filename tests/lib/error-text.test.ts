import { describe, expect, it } from 'vitest';
import {
  HOST_MISSING_TEXT,
  cachedAddressText,
  claimText,
  endReasonText,
  errorText,
  isFailure,
  mediaErrorText,
  peerLabel,
  publishErrorText,
  resolveErrorText,
  sentence,
  timeAgo,
} from '../../lib/error-text';
import { ERROR_CODES, type ErrorCode, errorInfoFrom } from '../../lib/errors';
import { BOB, callInfo } from '../../testkit/ext/fixtures';

describe('sentence', () => {
  it('capitalises and ends with a full stop once', () => {
    expect(sentence('a node id has 52 characters, this one has 3')).toBe('A node id has 52 characters, this one has 3.');
    expect(sentence('Done.')).toBe('Done.');
    expect(sentence('  ')).toBe('');
  });
});

describe('peerLabel', () => {
  const short = `${BOB.slice(0, 4)}…${BOB.slice(-4)}`;

  it('names the peer by a verified name only, else a short node id', () => {
    const call = callInfo({ peerName: 'bob.azero' });
    expect(peerLabel(call, { status: 'verified', name: 'bob.azero', verifiedAt: 0, fromCache: false })).toBe('bob.azero');
    expect(peerLabel(call)).toBe(short);
    expect(peerLabel(call, { status: 'checking', name: 'bob.azero' })).toBe(short);
    expect(peerLabel(call, { status: 'mismatch', name: 'bob.azero', reason: 'other-node' })).toBe(short);
    expect(peerLabel(call, { status: 'unverifiable', name: 'bob.azero', error: { code: 'CHAIN_UNREACHABLE', message: '' } })).toBe(short);
  });
});

describe('names in words', () => {
  it('gives each resolution error its own words, with what to do', () => {
    const text = (code: ErrorCode, message = '') => resolveErrorText({ code, message }, 'bob.azero');
    expect(text('NAME_NOT_REGISTERED', 'bob.azero is not registered (or has expired)')).toBe(
      'bob.azero is not registered (or has expired).',
    );
    expect(text('NAME_NOT_REGISTERED')).toBe('bob.azero is not registered, or its registration has expired.');
    expect(text('NO_NODE_ID')).toBe('bob.azero has no node id on record. Ask its owner for their node id.');
    expect(text('RECORD_MALFORMED', 'the copybara-id record of bob.azero is not a node id: it is empty')).toBe(
      'The copybara-id record of bob.azero is not a node id: it is empty. Ask its owner to publish it again.',
    );
    expect(text('CHAIN_UNREACHABLE', 'The name service could not be reached at wss://ws.azero.dev: no answer within 10 s')).toBe(
      'The name service could not be reached at wss://ws.azero.dev: no answer within 10 s. Call a node id or a contact instead, or check the endpoints in Settings.',
    );
    expect(text('TLD_UNSUPPORTED')).toBe('Copybara can call AZERO.ID names ending in .azero, .a0 or .tzero only.');
    expect(text('NAME_INVALID', '"bob..azero" is not a valid name: sub-names are not supported')).toBe(
      '"bob..azero" is not a valid name: sub-names are not supported.',
    );
    expect(text('CANCELLED', 'name lookup cancelled')).toBe('Cancelled.');
    expect(errorText({ code: 'NAME_NOT_REGISTERED', message: '' })).toBe('That name is not registered, or its registration has expired.');
  });

  it('says how old a saved address is', () => {
    const h = 3600_000;
    expect(timeAgo(0, 30_000)).toBe('just now');
    expect(timeAgo(0, 5 * 60_000)).toBe('5 min ago');
    expect(timeAgo(0, 3 * h)).toBe('3 h ago');
    expect(timeAgo(0, 72 * h)).toBe('3 days ago');
    expect(timeAgo(10, 0)).toBe('just now');
    expect(cachedAddressText('bob.azero', 0, 3 * h)).toBe(
      'Using the saved address of bob.azero, last verified 3 h ago (the name service is not reachable).',
    );
  });

  it('words a claimed name by what the check found', () => {
    expect(claimText({ status: 'verified', name: 'alice.azero', verifiedAt: 0, fromCache: false })).toBe('alice.azero');
    expect(claimText({ status: 'mismatch', name: 'alice.azero', reason: 'other-node' })).toBe("claims alice.azero — not that name's owner");
    expect(claimText({ status: 'unverifiable', name: 'alice.azero', error: { code: 'CHAIN_UNREACHABLE', message: 'x' } })).toBe(
      'claims alice.azero (could not be checked: the name service is not reachable)',
    );
    expect(claimText({ status: 'unverifiable', name: 'alice.azero', error: { code: 'CHECK_TIMEOUT', message: 'x' } })).toBe(
      'claims alice.azero (could not be checked: the name service did not answer in time)',
    );
    expect(claimText({ status: 'unverifiable', name: 'alice', error: { code: 'NAME_INVALID', message: 'x' } })).toBe(
      'claims alice (could not be checked: it is not a valid name)',
    );
  });
});

describe('endReasonText', () => {
  it.each([
    ['declined', 'Bob declined the call'],
    ['busy', 'Bob is busy in another call'],
    ['no-answer', 'No answer'],
    ['missed', 'Missed call from Bob'],
    ['unreachable', "Bob's node is not reachable. They may be offline."],
    ['peer-lost', 'The connection to Bob was lost'],
    ['remote-hangup', 'Bob hung up'],
    ['hangup', 'You hung up'],
  ] as const)('%s -> %s', (reason, words) => {
    expect(endReasonText(reason, 'Bob')).toBe(words);
  });

  it('knows whose choice a decline was', () => {
    expect(endReasonText('declined', 'Bob', null, 'incoming')).toBe('You declined the call');
    expect(endReasonText('declined', 'Bob', null, 'outgoing')).toBe('Bob declined the call');
    expect(endReasonText('busy', 'Bob', null, 'incoming')).toBe('Missed call from Bob while you were in another call');
  });

  it('puts the detail of a failure in words', () => {
    expect(endReasonText('failed', 'Bob', 'the TURN relay stopped')).toBe('The TURN relay stopped');
    expect(endReasonText('failed', 'Bob', null)).toBe('Something went wrong');
  });

  it('tells failures from choices', () => {
    expect(isFailure('unreachable')).toBe(true);
    expect(isFailure('failed')).toBe(true);
    expect(isFailure('peer-lost')).toBe(true);
    expect(isFailure('declined')).toBe(false);
    expect(isFailure('hangup')).toBe(false);
  });
});

describe('errorText', () => {
  it('has words for the codes people meet', () => {
    expect(errorText({ code: 'SELF_CALL', message: "that is this node's own id" })).toBe('That is your own node id.');
    expect(errorText({ code: 'UNREACHABLE', message: 'no route' }, 'Bob')).toBe('Bob is not reachable. It may be offline.');
    expect(errorText({ code: 'HOST_MISSING', message: 'Specified native messaging host not found.' })).toBe(HOST_MISSING_TEXT);
    expect(errorText({ code: 'TIMEOUT', message: 'x' })).toBe('The Copybara node did not answer in time.');
    // A Firefox call on a computer without a network: what happened and what to do.
    expect(errorText({ code: 'NO_LOCAL_ADDRESS', message: 'no default route' })).toMatch(
      /^Firefox can make calls only while this computer is connected to a network .* Connect to a network, then call again\.$/,
    );
    expect(errorText({ code: 'BAD_NODE_ID', message: 'a node id has 52 characters, this one has 3' })).toBe(
      'A node id has 52 characters, this one has 3.',
    );
  });

  it('never shows a bare code', () => {
    // A code this build does not know arrives as INTERNAL, keeping its text.
    expect(errorText(errorInfoFrom('SOMETHING_NEW', 'disk full'))).toBe('Something went wrong in Copybara (disk full).');
    expect(errorText({ code: 'UNKNOWN_VERSION', message: 'unsupported protocol version 2' })).toMatch(/different versions\.$/);
  });

  it('spells the install command in the host-missing text', () => {
    expect(HOST_MISSING_TEXT).toBe(
      'The Copybara node is not installed for this browser. Run "npx copybara-host install" in the Copybara folder, then reopen this popup.',
    );
  });
});

describe('mediaErrorText', () => {
  it('explains getUserMedia failures', () => {
    expect(mediaErrorText({ name: 'NotAllowedError' }, 'camera')).toBe(
      'Copybara may not use your camera; allow it for this page and try again.',
    );
    expect(mediaErrorText({ name: 'NotFoundError' }, 'microphone')).toBe('No microphone was found.');
    expect(mediaErrorText({ name: 'NotReadableError' }, 'camera')).toMatch(/in use by another program/);
    expect(mediaErrorText(new TypeError('x'), 'camera')).toBe('Your camera could not be started (TypeError).');
    expect(mediaErrorText(undefined, 'camera')).toBe('Your camera could not be started.');
  });
});

describe('every code has words', () => {
  const all = Object.values(ERROR_CODES).flat();

  it.each(all)('%s, with and without a message', (code) => {
    for (const message of ['', 'some detail']) {
      for (const words of [
        errorText({ code, message }),
        errorText({ code, message }, 'Bob'),
        resolveErrorText({ code, message }, 'bob.azero'),
      ]) {
        expect(words.trim()).not.toBe('');
        // A person never reads a code name: the words say what it means.
        expect(words).not.toMatch(new RegExp(`\\b${code}\\b`));
        expect(words).toMatch(/[.!?…]$/);
      }
    }
  });

  it('publishing speaks of the chain where its codes are shared with calls', () => {
    expect(publishErrorText({ code: 'UNREACHABLE', message: '' })).toMatch(/Aleph Zero node/);
    expect(publishErrorText({ code: 'TIMEOUT', message: 'Not included within 2 min.' })).toBe('Not included within 2 min.');
    for (const code of ERROR_CODES.publish) expect(publishErrorText({ code, message: '' })).not.toBe('');
  });
});
