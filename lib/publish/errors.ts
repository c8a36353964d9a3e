import { CodedError, type FamilyCode } from '../errors';
import { ResolveError } from '../names/errors';

// Publishing has its own coded error: the page shows `message` as is, and picks what to
// offer next (choose another account, retry, top up) from `code`. Every message says what
// happened and, when there is one, what to do about it.

// The publish family of lib/errors.ts:
//   NOT_CONTROLLER     the account is neither the owner nor the controller of the name
//   NAME_NOT_FOUND     not registered, or expired
//   NAME_INVALID       the typed name is not an AZERO.ID name of this registry
//   BAD_RECORD         the value to publish is not what its key must hold (a node id)
//   RECORDS_OVERFLOW   the name's records would exceed the registry's size limit
//   NOTHING_TO_PUBLISH the chain already holds exactly these records
//   UNREACHABLE        no endpoint answered
//   REJECTED           the user or the wallet refused to sign
//   FAILED             included in a block, but failed there
//   INVALID            refused by the node before inclusion (bad signature, balance too low, …)
//   TIMEOUT            not included within the wait; it may still be
//   MISMATCH           what the chain holds afterwards differs from what was published
//   CHAIN              the chain answered something unusable
export type PublishErrorCode = FamilyCode<'publish'>;

export class PublishError extends CodedError<PublishErrorCode> {
  // The endpoint the failure is about, when there is one.
  readonly endpoint: string | null;

  constructor(code: PublishErrorCode, message: string, endpoint: string | null = null) {
    super(code, message);
    this.name = 'PublishError';
    this.endpoint = endpoint;
  }

  toJSON(): { code: PublishErrorCode; message: string } {
    return { code: this.code, message: this.detail };
  }

  static is(err: unknown, code?: PublishErrorCode): err is PublishError {
    return err instanceof PublishError && (code === undefined || err.code === code);
  }

  static notController(name: string): PublishError {
    return new PublishError(
      'NOT_CONTROLLER',
      `This account is neither the owner nor the controller of ${name}. Choose the account that owns it, or ask its owner to make you controller.`,
    );
  }

  static notFound(name: string): PublishError {
    return new PublishError(
      'NAME_NOT_FOUND',
      `${name} is not registered, or its registration has expired. Check the spelling, or renew it at azero.id before publishing.`,
    );
  }

  static overflow(name: string): PublishError {
    return new PublishError(
      'RECORDS_OVERFLOW',
      `${name} already holds as many records as the registry allows, so this one does not fit. Remove a record you no longer need (for example at azero.id) and try again.`,
    );
  }

  static unreachable(endpoint: string, why: string): PublishError {
    return new PublishError(
      'UNREACHABLE',
      `The Aleph Zero node at ${endpoint} could not be reached (${why}). Check your connection, or try another endpoint.`,
      endpoint,
    );
  }

  static chain(why: string, endpoint: string | null = null): PublishError {
    return new PublishError(
      'CHAIN',
      `The chain${endpoint ? ` at ${endpoint}` : ''} answered something unusable: ${why}. Nothing was published.`,
      endpoint,
    );
  }
}

// lib/names speaks ResolveError; publishing callers see one error type. Anything else that
// escapes polkadot.js becomes CHAIN with its first line, never a bare exception.
export function asPublishError(err: unknown, endpoint: string | null = null): PublishError {
  if (err instanceof PublishError) return err;
  if (err instanceof ResolveError) {
    switch (err.code) {
      case 'CHAIN_UNREACHABLE':
        return new PublishError('UNREACHABLE', `${err.message}. Check your connection, or try another endpoint.`, err.endpoint ?? endpoint);
      case 'NAME_INVALID':
      case 'TLD_UNSUPPORTED':
        return new PublishError('NAME_INVALID', err.message);
      case 'NAME_NOT_REGISTERED':
        return new PublishError('NAME_NOT_FOUND', err.message);
      default:
        return PublishError.chain(err.why, err.endpoint ?? endpoint);
    }
  }
  const why = err instanceof Error ? err.message : String(err);
  return PublishError.chain(why.split('\n')[0]!.slice(0, 200), endpoint);
}
