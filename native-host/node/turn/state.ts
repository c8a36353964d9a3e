import type { Allocation } from './allocation';
import { AllocationManager } from './allocation-manager';
import { ChallengeLimiter } from './challenge-limit';
import { RateLimitedLog } from './log';
import { NonceBook } from './nonce';
import { errorReply, type ErrorReplyOptions } from './respond';
import { METHOD } from './stun/constants';
import type { StunMessage } from './stun/message';
import type { ClientAddress, TurnStats } from './types';
import type { TurnUser } from './user';

// Everything the request handlers and the relay path share, so that they can live in
// their own modules and be tested without a socket: server.ts owns one TurnState and
// supplies `sendTo`.

export type Counters = Omit<TurnStats, 'allocations' | 'users'>;

const METHOD_NAMES: Readonly<Record<number, string>> = {
  [METHOD.BINDING]: 'Binding',
  [METHOD.ALLOCATE]: 'Allocate',
  [METHOD.REFRESH]: 'Refresh',
  [METHOD.SEND]: 'Send',
  [METHOD.DATA]: 'Data',
  [METHOD.CREATE_PERMISSION]: 'CreatePermission',
  [METHOD.CHANNEL_BIND]: 'ChannelBind',
};

export function methodName(method: number): string {
  return METHOD_NAMES[method] ?? `method 0x${method.toString(16)}`;
}

export class TurnState {
  readonly realm: string;
  readonly now: () => number;
  readonly users = new Map<string, TurnUser>();
  readonly allocations = new AllocationManager();
  readonly nonces: NonceBook;
  readonly log: RateLimitedLog;
  readonly unauthenticatedAnswers = new ChallengeLimiter();
  readonly counters: Counters = { relayedToPeer: 0, relayedToClient: 0, dropped: 0, rejected: 0 };
  sendTo: (data: Buffer, client: ClientAddress) => void = () => {};

  constructor(realm: string, now: () => number, log: ((line: string) => void) | undefined) {
    this.realm = realm;
    this.now = now;
    this.nonces = new NonceBook(now);
    this.log = new RateLimitedLog(log, now);
  }

  /** Counts a silently discarded datagram; `kind` is the log class (a fixed string). */
  drop(kind: string, detail: string): void {
    this.counters.dropped++;
    this.log.line(`drop:${kind}`, `dropped datagram: ${detail}`);
  }

  /** Answers a request with an error response, counted as rejected and logged. */
  reject(req: StunMessage, client: ClientAddress, code: number, why: string, opts?: ErrorReplyOptions): void {
    this.counters.rejected++;
    const name = methodName(req.method);
    this.log.line(`reject:${req.method}:${code}`, `${name} from ${client.address}:${client.port} rejected with ${code}: ${why}`);
    this.sendTo(errorReply(req, code, opts), client);
  }

  /**
   * Whether a request not (yet) authenticated may be answered at all. With no call's
   * credential registered no request can succeed, so nothing is said; otherwise the
   * ChallengeLimiter decides. Silenced requests are counted as dropped.
   */
  mayAnswerUnauthenticated(req: StunMessage, client: ClientAddress): boolean {
    if (this.users.size === 0) {
      this.drop(
        'no-credential',
        `${methodName(req.method)} from ${client.address}:${client.port} while no call's credential is registered`,
      );
      return false;
    }
    if (!this.unauthenticatedAnswers.allow(`${client.address}|${client.port}`, this.now())) {
      this.drop(
        'unauthenticated-limit',
        `${methodName(req.method)} from ${client.address}:${client.port} beyond the unauthenticated answer budget`,
      );
      return false;
    }
    return true;
  }

  /** The 401 that opens every long-term-credential exchange: expected, so not counted. */
  challenge(req: StunMessage, client: ClientAddress): void {
    if (!this.mayAnswerUnauthenticated(req, client)) return;
    this.sendTo(errorReply(req, 401, { realm: this.realm, nonce: this.nonces.issue(client) }), client);
  }

  /**
   * An error answer to a request that is not authenticated. The nonce, when one is wanted,
   * is made only once the answer is allowed, since making it is the HMAC a flood would cost.
   */
  rejectUnauthenticated(req: StunMessage, client: ClientAddress, code: number, why: string, withNonce = false): void {
    if (!this.mayAnswerUnauthenticated(req, client)) return;
    const opts: ErrorReplyOptions = withNonce ? { realm: this.realm, nonce: this.nonces.issue(client) } : {};
    this.reject(req, client, code, why, opts);
  }

  /**
   * RFC 5766 §4: "For all TURN messages (including ChannelData) EXCEPT an Allocate request,
   * if the 5-tuple does not identify an existing allocation, then the message MUST either
   * be rejected with a 437 Allocation Mismatch error (if it is a request) or silently
   * ignored"; and "if the 5-tuple identifies an existing allocation, but the request does
   * not use the same username as used to create the allocation, then the request MUST be
   * rejected with a 441 (Wrong Credentials) error."
   */
  requireAllocation(req: StunMessage, client: ClientAddress, user: TurnUser): Allocation | null {
    const alloc = this.allocations.find(client.address, client.port, this.now());
    if (!alloc) {
      this.reject(req, client, 437, 'no allocation for this 5-tuple', { key: user.key });
      return null;
    }
    if (alloc.user !== user) {
      this.reject(req, client, 441, 'allocation belongs to another username', { key: user.key });
      return null;
    }
    return alloc;
  }
}
