import { CodedError, type FamilyCode } from '../errors';

// The links family of lib/errors.ts: MALFORMED (not a call link, or damaged), TOO_LARGE,
// UNSUPPORTED_VERSION, BAD_SIGNATURE (changed after it was made, or not made by the key it
// names), EXPIRED, NOT_YET_VALID, WRONG_CALLEE (made for someone else), and LINK_REFUSED,
// the background's answer when a link may not be answered.
export type LinkErrorCode = FamilyCode<'links'>;

// Why a link cannot be answered, in words a user can act on.
export class LinkError extends CodedError<LinkErrorCode> {
  constructor(code: LinkErrorCode, message: string) {
    super(code, message);
    this.name = 'LinkError';
  }
}
