export type LinkErrorCode =
  | 'MALFORMED' // not a call link, or damaged
  | 'TOO_LARGE'
  | 'UNSUPPORTED_VERSION'
  | 'BAD_SIGNATURE' // changed after it was made, or not made by the key it names
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'WRONG_CALLEE'; // made for someone else

// Why a link cannot be answered, in words a user can act on.
export class LinkError extends Error {
  readonly code: LinkErrorCode;

  constructor(code: LinkErrorCode, message: string) {
    super(message);
    this.name = 'LinkError';
    this.code = code;
  }
}
