import { type ErrorInfo, type FamilyCode, isFamilyCode } from '../errors';
import { type Words, ownOr } from './sentence';

// Publishing in words. A PublishError's message already says what happened and what to do
// (lib/publish/errors.ts), so it is shown as is; these are the words when it comes without.

export const PUBLISH_WORDS: Record<FamilyCode<'publish'>, Words> = {
  NOT_CONTROLLER: ownOr('This account is neither the owner nor the controller of that name. Choose the account that owns it.'),
  NAME_NOT_FOUND: ownOr('That name is not registered, or its registration has expired.'),
  NAME_INVALID: ownOr('That is not an AZERO.ID name this page can publish to.'),
  BAD_RECORD: ownOr('That value cannot be published as a node id.'),
  RECORDS_OVERFLOW: ownOr('The name already holds as many records as the registry allows.'),
  NOTHING_TO_PUBLISH: ownOr('The name already holds these records: nothing to publish.'),
  UNREACHABLE: ownOr('No Aleph Zero node could be reached. Check your connection, or try another endpoint.'),
  REJECTED: ownOr('The transaction was not signed, so nothing was sent.'),
  FAILED: ownOr('The transaction was included in a block but failed there; no record changed.'),
  INVALID: ownOr('The node refused the transaction. Nothing was published; try again.'),
  TIMEOUT: ownOr('The transaction was not included in time; it may still be. Check the name before publishing again.'),
  MISMATCH: ownOr('What the chain holds now differs from what was published. Check the name and publish again.'),
  CHAIN: ownOr('The chain answered something unusable. Nothing was published.'),
};

// For the publishing page: its own family's words even where a code is shared with calls
// (UNREACHABLE, TIMEOUT), since there the chain, not a peer, is what did not answer.
export function publishErrorText(error: ErrorInfo): string {
  return isFamilyCode('publish', error.code) ? PUBLISH_WORDS[error.code](error, '') : ownOr('Publishing failed.')(error, '');
}
