import { CodedError, type FamilyCode } from '../../../lib/errors';

// The one error class the STUN/TURN decoders throw. Untrusted datagrams reach the decoders
// straight from the socket, so every way a datagram can be malformed maps to a `code` here:
// the server counts and logs per code, and anything that is not a StunError is a bug in our
// own code (never a property of the input).

// The stun family of lib/errors.ts (SHORT, NOT_STUN, BAD_COOKIE, BAD_LENGTH, ATTR_OVERFLOW,
// BAD_ATTR, BAD_FINGERPRINT, BAD_INTEGRITY, BAD_CHANNEL, TOO_LARGE); see the list there for
// what each means. The RFC's numeric error codes are a different thing (stun/error-code.ts).
export type StunErrorCode = FamilyCode<'stun'>;

export class StunError extends CodedError<StunErrorCode> {
  constructor(code: StunErrorCode, message: string) {
    super(code, message, `${code}: ${message}`);
    this.name = 'StunError';
  }
}

export function isStunError(err: unknown): err is StunError {
  return err instanceof StunError;
}
