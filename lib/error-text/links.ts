import type { FamilyCode } from '../errors';
import { type Words, sentence } from './sentence';

// Call links in words. LinkError messages are already sentences for people ("this call link
// has expired; ask for a new one"); the reasons are the short form the badge on a web page
// puts after "Copybara call link: ".

export const LINK_REASONS: Record<FamilyCode<'links'>, string> = {
  EXPIRED: 'expired; ask for a new one',
  BAD_SIGNATURE: 'altered, or not made by the node it names (tampered)',
  NOT_YET_VALID: "not valid yet: it is dated in the future (check this computer's clock)",
  MALFORMED: 'damaged or incomplete (malformed)',
  TOO_LARGE: 'too long to be a call link',
  UNSUPPORTED_VERSION: 'made by a newer Copybara; update to answer it',
  WRONG_CALLEE: 'made for someone else',
  LINK_REFUSED: 'not one this node may answer',
};

const linkWords =
  (code: FamilyCode<'links'>): Words =>
  (error) =>
    sentence(error.message || `this call link is ${LINK_REASONS[code]}`);

export const LINK_WORDS: Record<FamilyCode<'links'>, Words> = {
  EXPIRED: linkWords('EXPIRED'),
  BAD_SIGNATURE: linkWords('BAD_SIGNATURE'),
  NOT_YET_VALID: linkWords('NOT_YET_VALID'),
  MALFORMED: linkWords('MALFORMED'),
  TOO_LARGE: linkWords('TOO_LARGE'),
  UNSUPPORTED_VERSION: linkWords('UNSUPPORTED_VERSION'),
  WRONG_CALLEE: linkWords('WRONG_CALLEE'),
  LINK_REFUSED: linkWords('LINK_REFUSED'),
};
