import { CodedError } from '../errors';
import type { ResolveErrorCode } from './types';

// Name resolution's family of the coded error (lib/errors.ts). Its message is already a
// sentence fit to show a person ("bob.azero is not registered (or has expired)"), with no
// code prefix, so message and detail are the same text.

export class ResolveError extends CodedError<ResolveErrorCode> {
  // The endpoint(s) the failure is about, when there is one (CHAIN_UNREACHABLE, CHAIN_ERROR).
  readonly endpoint: string | null;
  // The message's specific part ("no answer within 10 s"), for re-wording with more context.
  readonly why: string;

  constructor(code: ResolveErrorCode, message: string, endpoint: string | null = null, why: string = message) {
    super(code, message);
    this.name = 'ResolveError';
    this.endpoint = endpoint;
    this.why = why;
  }

  // Plain data, for crossing the native port or a runtime message.
  toJSON(): { code: ResolveErrorCode; message: string } {
    return { code: this.code, message: this.detail };
  }

  static is(err: unknown, code?: ResolveErrorCode): err is ResolveError {
    return err instanceof ResolveError && (code === undefined || err.code === code);
  }

  static invalid(input: string, why: string) {
    return new ResolveError('NAME_INVALID', `"${shown(input)}" is not a valid name: ${why}`);
  }
  static tldUnsupported(input: string, tld: string) {
    return new ResolveError(
      'TLD_UNSUPPORTED',
      `"${shown(input)}" is not an AZERO.ID name: ".${shown(tld)}" is not one of .azero, .a0 or .tzero`,
    );
  }
  static notRegistered(name: string) {
    return new ResolveError('NAME_NOT_REGISTERED', `${name} is not registered (or has expired)`);
  }
  static noNodeId(name: string, keys: string) {
    return new ResolveError('NO_NODE_ID', `${name} is registered but has no node id (no ${keys} record)`);
  }
  static onlyStaexId(name: string) {
    return new ResolveError(
      'NO_NODE_ID',
      `${name} has no node id (no copybara-id record), only a Staex id: a Staex id alone does not say which Copybara node to expect there`,
    );
  }
  static malformed(name: string, key: string, why: string) {
    return new ResolveError('RECORD_MALFORMED', `the ${key} record of ${name} is not a node id: ${why}`);
  }
  static unreachable(endpoint: string, why: string) {
    return new ResolveError('CHAIN_UNREACHABLE', `The name service could not be reached at ${endpoint}: ${why}`, endpoint, why);
  }
  static chain(why: string, endpoint: string | null = null) {
    return new ResolveError(
      'CHAIN_ERROR',
      `The name service answered something unusable${endpoint ? ` (${endpoint})` : ''}: ${why}`,
      endpoint,
      why,
    );
  }
  static cancelled() {
    return new ResolveError('CANCELLED', 'name lookup cancelled');
  }
}

// Echo user input in messages without letting a pasted megabyte or control characters through.
export function shown(text: string, max = 64): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
