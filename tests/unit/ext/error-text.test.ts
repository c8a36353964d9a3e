import { describe, expect, it } from 'vitest';
import { HOST_MISSING_TEXT, endReasonText, errorText, isFailure, mediaErrorText, peerLabel, sentence } from '../../../lib/error-text';
import { BOB, callInfo } from './fixtures';

describe('sentence', () => {
  it('capitalises and ends with a full stop once', () => {
    expect(sentence('a node id has 52 characters, this one has 3')).toBe('A node id has 52 characters, this one has 3.');
    expect(sentence('Done.')).toBe('Done.');
    expect(sentence('  ')).toBe('');
  });
});

describe('peerLabel', () => {
  it('prefers the name, else a short node id', () => {
    expect(peerLabel(callInfo({ peerName: 'Bob' }))).toBe('Bob');
    expect(peerLabel(callInfo())).toBe(`${BOB.slice(0, 4)}…${BOB.slice(-4)}`);
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
    expect(errorText({ code: 'BAD_NODE_ID', message: 'a node id has 52 characters, this one has 3' })).toBe(
      'A node id has 52 characters, this one has 3.',
    );
  });

  it('never shows a bare code', () => {
    expect(errorText({ code: 'SOMETHING_NEW', message: 'disk full' })).toBe('Something went wrong in Copybara (disk full).');
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
    expect(mediaErrorText({ name: 'NotAllowedError' }, 'camera')).toBe('Copybara may not use your camera; allow it for this page and try again.');
    expect(mediaErrorText({ name: 'NotFoundError' }, 'microphone')).toBe('No microphone was found.');
    expect(mediaErrorText({ name: 'NotReadableError' }, 'camera')).toMatch(/in use by another program/);
    expect(mediaErrorText(new TypeError('x'), 'camera')).toBe('Your camera could not be started (TypeError).');
    expect(mediaErrorText(undefined, 'camera')).toBe('Your camera could not be started.');
  });
});
