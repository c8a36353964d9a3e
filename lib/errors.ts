// The error contract of the whole project: every code any part of Copybara throws or sends
// is listed here, once, by family. `code` is what crosses the native port, the runtime ports
// and the CLI's stderr as plain data; lib/error-text/ maps each code to words, and the
// compiler refuses a code without words there. A family's error class may only carry its
// family's codes, so a publishing failure cannot pretend to be a call failure by accident.
//
// The same string may belong to two families (UNREACHABLE: a peer's node, or the chain a
// name is published to); the families then mean the same kind of failure, and which words
// fit is decided by where the error is shown, not by the string.

export const ERROR_CODES = {
  // The node's answers about calls; INTERNAL is the code of anything that is not coded.
  call: [
    'BAD_NODE_ID',
    'UNKNOWN_CALL',
    'CALL_NOT_ALLOWED',
    'SHOWN_ELSEWHERE', // a second page opened on a call that a page already shows
    'BUSY',
    'UNREACHABLE',
    'SELF_CALL',
    'TIMEOUT',
    'NO_LOCAL_ADDRESS', // a Firefox call needs a non-loopback local address; the machine has none
    'INTERNAL',
  ],
  // The native-messaging path between the extension, the bridge and the node.
  native: ['BAD_MESSAGE', 'MESSAGE_TOO_LARGE', 'UNKNOWN_VERSION', 'UNKNOWN_TYPE', 'HOST_MISSING', 'HOST_DISCONNECTED', 'NODE_UNAVAILABLE'],
  // AZERO.ID resolution (lib/names), plus the background's check of a caller's claimed name.
  names: [
    'NAME_INVALID',
    'TLD_UNSUPPORTED',
    'NAME_NOT_REGISTERED',
    'NO_NODE_ID',
    'RECORD_MALFORMED',
    'CHAIN_UNREACHABLE',
    'CHAIN_ERROR',
    'CANCELLED',
    'CHECK_TIMEOUT', // the background's bound on a caller's check ran out
    'CACHED_MISMATCH', // the chain is unreachable and the saved address is another node
  ],
  // Call links (lib/links), plus the background refusing to answer one.
  links: ['MALFORMED', 'TOO_LARGE', 'UNSUPPORTED_VERSION', 'BAD_SIGNATURE', 'EXPIRED', 'NOT_YET_VALID', 'WRONG_CALLEE', 'LINK_REFUSED'],
  // Publishing a node id to a name (lib/publish); the page picks what to offer next by code.
  publish: [
    'NOT_CONTROLLER',
    'NAME_NOT_FOUND',
    'NAME_INVALID',
    'BAD_RECORD',
    'RECORDS_OVERFLOW',
    'NOTHING_TO_PUBLISH',
    'UNREACHABLE',
    'REJECTED',
    'FAILED',
    'INVALID',
    'TIMEOUT',
    'MISMATCH',
    'CHAIN',
  ],
  // Why a datagram is not STUN/TURN (native-host/node/turn). These never leave the node:
  // the relay counts and logs them. They are names, not the RFC's numeric error codes
  // (400, 401, 437 …), which are what a STUN error response carries on the wire.
  stun: [
    'SHORT',
    'NOT_STUN',
    'BAD_COOKIE',
    'BAD_LENGTH',
    'ATTR_OVERFLOW',
    'BAD_ATTR',
    'BAD_FINGERPRINT',
    'BAD_INTEGRITY',
    'BAD_CHANNEL',
    'TOO_LARGE',
  ],
} as const satisfies Record<string, readonly string[]>;

export type ErrorFamily = keyof typeof ERROR_CODES;
export type FamilyCode<F extends ErrorFamily> = (typeof ERROR_CODES)[F][number];
export type ErrorCode = FamilyCode<ErrorFamily>;

const ALL_CODES: ReadonlySet<string> = new Set(Object.values(ERROR_CODES).flat());

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && ALL_CODES.has(code);
}

export function isFamilyCode<F extends ErrorFamily>(family: F, code: unknown): code is FamilyCode<F> {
  return typeof code === 'string' && (ERROR_CODES[family] as readonly string[]).includes(code);
}

// An error as it crosses a wire. The text is called `message` there (the field name is part
// of the native and runtime protocols); in memory it is a coded error's `detail`.
export interface ErrorInfo {
  code: ErrorCode;
  message: string;
}

// The base of every coded error. `detail` is the text that travels with the code; `message`
// is what a stack trace or a log shows, which for some families repeats the code.
export class CodedError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly detail: string;

  constructor(code: C, detail: string, message: string = detail) {
    super(message);
    this.name = 'CodedError';
    this.code = code;
    this.detail = detail;
  }

  toInfo(): ErrorInfo {
    return { code: this.code, message: this.detail };
  }
}

// The node, the bridge, the native path and the extension's own plumbing. Its message
// repeats the code because these errors end up in logs more often than in front of people.
export class CopybaraError extends CodedError<FamilyCode<'call' | 'native'>> {
  constructor(code: FamilyCode<'call' | 'native'>, detail: string) {
    super(code, detail, `${code}: ${detail}`);
    this.name = 'CopybaraError';
  }

  static BAD_NODE_ID(why: string) {
    return new CopybaraError('BAD_NODE_ID', why);
  }
  static BAD_MESSAGE(why: string) {
    return new CopybaraError('BAD_MESSAGE', why);
  }
  static MESSAGE_TOO_LARGE(size: number, limit: number) {
    return new CopybaraError('MESSAGE_TOO_LARGE', `message of ${size} bytes exceeds the limit of ${limit} bytes`);
  }
  static UNKNOWN_VERSION(version: unknown) {
    return new CopybaraError('UNKNOWN_VERSION', `unsupported protocol version ${quoted(version)}`);
  }
  static UNKNOWN_TYPE(type: unknown) {
    return new CopybaraError('UNKNOWN_TYPE', `unknown message type ${quoted(type)}`);
  }
  static UNKNOWN_CALL(callId: string) {
    return new CopybaraError('UNKNOWN_CALL', `no call ${callId}`);
  }
  static CALL_NOT_ALLOWED(why: string) {
    return new CopybaraError('CALL_NOT_ALLOWED', why);
  }
  static SHOWN_ELSEWHERE() {
    return new CopybaraError('SHOWN_ELSEWHERE', 'the call is shown in another tab');
  }
  static BUSY() {
    return new CopybaraError('BUSY', 'already in a call');
  }
  static UNREACHABLE(why: string) {
    return new CopybaraError('UNREACHABLE', why);
  }
  static SELF_CALL() {
    return new CopybaraError('SELF_CALL', "that is this node's own id");
  }
  static TIMEOUT(what: string) {
    return new CopybaraError('TIMEOUT', what);
  }
  static NO_LOCAL_ADDRESS() {
    return new CopybaraError('NO_LOCAL_ADDRESS', 'this computer has no default route, so no local address a Firefox call can use');
  }
  static INTERNAL(why: string) {
    return new CopybaraError('INTERNAL', why);
  }
}

// An error that arrived as data ({ ok: false, error }) from another process or page: it is
// rethrown with the code it was sent with, whatever family that code belongs to, so a
// NAME_NOT_REGISTERED from the node reaches the popup as NAME_NOT_REGISTERED.
export class ReplyError extends CodedError<ErrorCode> {
  constructor(info: ErrorInfo) {
    super(info.code, info.message, `${info.code}: ${info.message}`);
    this.name = 'ReplyError';
  }

  get info(): ErrorInfo {
    return this.toInfo();
  }
}

// Words for any thrown value, for a log line or a message: an Error's message, text as it
// is, anything else as JSON (a bare "[object Object]" helps nobody).
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

// Any thrown value as wire data. Coded errors keep their code; an error from another copy of
// a class (a bundle can hold two) is recognised by a `code` from the union; anything else is
// INTERNAL with its text, never a bare exception.
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof CodedError) return err.toInfo();
  if (err instanceof Error) {
    const { code, detail } = err as { code?: unknown; detail?: unknown };
    if (isErrorCode(code)) return { code, message: typeof detail === 'string' ? detail : err.message };
    return { code: 'INTERNAL', message: err.message };
  }
  return { code: 'INTERNAL', message: String(err) };
}

// The way back: wire data as a coded error with the same code.
export function fromErrorInfo(info: ErrorInfo): ReplyError {
  return new ReplyError(info);
}

// Wire data from a peer we do not fully trust to share our version: a code this build does
// not know becomes INTERNAL, keeping the text so nothing said is lost.
export function errorInfoFrom(code: string, message: string): ErrorInfo {
  return isErrorCode(code) ? { code, message } : { code: 'INTERNAL', message };
}

// What a sender put where a version or a type belongs, quoted briefly: the sender may be a
// hostile peer, and a message may be 128 KiB of it.
function quoted(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
