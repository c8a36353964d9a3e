import { type ErrorCode, type ErrorInfo, isFamilyCode } from '../errors';
import { CALL_WORDS, NATIVE_WORDS, STUN_WORDS } from './calls';
import { LINK_WORDS } from './links';
import { NAME_WORDS } from './names';
import { PUBLISH_WORDS } from './publish';
import { type Words, detailOf, sentence } from './sentence';

// Error codes and end reasons in words, for people. Codes are the contract (lib/errors.ts);
// this folder is the only place that turns them into sentences, one file per domain.

export { HOST_MISSING_TEXT, INSTALL_COMMAND, endReasonText, isFailure, mediaErrorText, peerLabel } from './calls';
export { LINK_REASONS } from './links';
export { NETWORK_OFFLINE_TEXT, networkText } from './network';
export { TLD_LIST, cachedAddressText, checkProblem, claimText, timeAgo } from './names';
export { publishErrorText } from './publish';
export { sentence } from './sentence';

// Every code's words in one table: `satisfies` makes the build fail when a code in the union
// has none. Where families share a code (UNREACHABLE, TIMEOUT, NAME_INVALID, TOO_LARGE) the
// later spread wins: the popup and the call tab meet calls, names and links, not publishing
// (which has publishErrorText) or the relay's decoders.
const WORDS = {
  ...STUN_WORDS,
  ...PUBLISH_WORDS,
  ...LINK_WORDS,
  ...NAME_WORDS,
  ...NATIVE_WORDS,
  ...CALL_WORDS,
} satisfies Record<ErrorCode, Words>;

// An error reply from the background or the node, in words. `who` names the peer when the
// error is about a call.
export function errorText(error: ErrorInfo, who = 'That node'): string {
  // Name errors met outside a name's own dialog speak of "That name", not of a node.
  if (isFamilyCode('names', error.code)) return NAME_WORDS[error.code](error, who === 'That node' ? 'That name' : who);
  // A decoded ErrorInfo always has a known code; the fallback guards a value built by hand.
  const words: Words | undefined = WORDS[error.code];
  return words ? words(error, who) : sentence(`something went wrong in Copybara${detailOf(error)}`);
}

// A name error in words, naming the name as the user typed it; other codes as errorText.
export function resolveErrorText(error: ErrorInfo, name: string): string {
  return isFamilyCode('names', error.code) ? NAME_WORDS[error.code](error, name) : errorText(error);
}
