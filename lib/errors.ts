// One coded error class for both sides of the bridge. `code` is the contract: it crosses
// the native port as plain data and the UI maps it to words (lib/error-text.ts).

export type ErrorCode =
  | 'BAD_NODE_ID'
  | 'BAD_MESSAGE'
  | 'MESSAGE_TOO_LARGE'
  | 'UNKNOWN_VERSION'
  | 'UNKNOWN_TYPE'
  | 'UNKNOWN_CALL'
  | 'CALL_NOT_ALLOWED'
  | 'BUSY'
  | 'UNREACHABLE'
  | 'SELF_CALL'
  | 'HOST_MISSING'
  | 'HOST_DISCONNECTED'
  | 'NODE_UNAVAILABLE'
  | 'TIMEOUT'
  | 'INTERNAL';

export class CopybaraError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'CopybaraError';
    this.code = code;
  }

  get detail(): string {
    return this.message.slice(this.code.length + 2);
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
    return new CopybaraError('UNKNOWN_VERSION', `unsupported protocol version ${JSON.stringify(version)}`);
  }
  static UNKNOWN_TYPE(type: unknown) {
    return new CopybaraError('UNKNOWN_TYPE', `unknown message type ${JSON.stringify(type)}`);
  }
  static UNKNOWN_CALL(callId: string) {
    return new CopybaraError('UNKNOWN_CALL', `no call ${callId}`);
  }
  static CALL_NOT_ALLOWED(why: string) {
    return new CopybaraError('CALL_NOT_ALLOWED', why);
  }
  static BUSY() {
    return new CopybaraError('BUSY', 'already in a call');
  }
  static UNREACHABLE(why: string) {
    return new CopybaraError('UNREACHABLE', why);
  }
  static SELF_CALL() {
    return new CopybaraError('SELF_CALL', 'that is this node\'s own id');
  }
  static TIMEOUT(what: string) {
    return new CopybaraError('TIMEOUT', what);
  }
  static INTERNAL(why: string) {
    return new CopybaraError('INTERNAL', why);
  }
}

export interface ErrorInfo {
  code: ErrorCode | string;
  message: string;
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof CopybaraError) return { code: err.code, message: err.detail };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
