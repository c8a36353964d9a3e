import type { ErrorInfo, FamilyCode } from '../errors';
import type { Verification } from '../ext/verification';
import { type Words, lowerFirst, nameSentence, withoutStop } from './sentence';

// AZERO.ID names in words. lib/names words its errors as sentences (naming the name and,
// when the chain is unreachable, the endpoint); these add what the user can do about it.
// `who` is the name as the user knows it.

export const TLD_LIST = '.azero, .a0 or .tzero';

const said = (error: ErrorInfo): string | null => (error.message ? nameSentence(error.message) : null);

export const NAME_WORDS: Record<FamilyCode<'names'>, Words> = {
  NAME_INVALID: (e) => said(e) ?? 'That is not a valid name.',
  TLD_UNSUPPORTED: (e) => said(e) ?? `Copybara can call AZERO.ID names ending in ${TLD_LIST} only.`,
  NAME_NOT_REGISTERED: (e, name) => said(e) ?? `${name} is not registered, or its registration has expired.`,
  NO_NODE_ID: (e, name) => `${said(e) ?? `${name} has no node id on record.`} Ask its owner for their node id.`,
  RECORD_MALFORMED: (e, name) =>
    `${said(e) ?? `The node id on record for ${name} is not a valid node id.`} Ask its owner to publish it again.`,
  CHAIN_UNREACHABLE: (e) =>
    `${said(e) ?? 'The name service is not reachable.'} Call a node id or a contact instead, or check the endpoints in Settings.`,
  CHAIN_ERROR: (e) => said(e) ?? 'The name service gave an answer Copybara does not understand.',
  CANCELLED: () => 'Cancelled.',
  CHECK_TIMEOUT: (_, name) => `The name service did not answer in time, so ${name} could not be checked.`,
  CACHED_MISMATCH: (_, name) => `The name service is not reachable, and the saved address of ${name} is a different node.`,
};

// 90_000 -> "2 min", 3 * 3600_000 -> "3 h", 50 * 3600_000 -> "2 days".
export function timeAgo(then: number, now: number): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return 'just now';
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

// Said when an answer comes from the cache because the chain could not be reached.
export function cachedAddressText(name: string, verifiedAt: number, now: number): string {
  return `Using the saved address of ${name}, last verified ${timeAgo(verifiedAt, now)} (the name service is not reachable).`;
}

// What the call page and the notification say about a caller's claimed name.
export function claimText(v: Verification): string {
  switch (v.status) {
    case 'checking':
      return `claims ${v.name} (checking…)`;
    case 'verified':
      return v.name;
    case 'mismatch':
      return `claims ${v.name} — not that name's owner`;
    case 'unverifiable':
      return `claims ${v.name} (could not be checked: ${checkProblem(v.error)})`;
  }
}

// Why a claimed name could not be checked, as a short phrase.
export function checkProblem(error: ErrorInfo): string {
  switch (error.code) {
    case 'CHAIN_UNREACHABLE':
      return 'the name service is not reachable';
    case 'CHECK_TIMEOUT':
      return 'the name service did not answer in time';
    case 'CACHED_MISMATCH':
      return 'the name service is not reachable, and the saved address of this name is a different node';
    case 'NAME_INVALID':
      return 'it is not a valid name';
    case 'TLD_UNSUPPORTED':
      return `only names ending in ${TLD_LIST} can be checked`;
    case 'RECORD_MALFORMED':
      return 'its node id record is malformed';
    case 'CHAIN_ERROR':
      return 'the name service gave an answer Copybara does not understand';
    default:
      return withoutStop(lowerFirst(error.message || 'something went wrong'));
  }
}
