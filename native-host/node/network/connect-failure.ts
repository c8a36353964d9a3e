import { CopybaraError } from '../../../lib/errors';

// Why a HyperDHT connect failed, in the terms a user can act on. HyperDHT reports an error
// code (hyperdht's lib/errors.js, blind-relay's lib/errors.js, dht-rpc's for requests); this maps
// each code it uses on the connect path to one cause. Pure: no I/O, so every code is testable.

export type ConnectCause =
  // Nobody announces the key, or the announced node did not answer the handshake. A peer whose
  // firewall refuses us stays silent too, so HyperDHT cannot tell it from one that is offline.
  | 'offline'
  // Both ends are behind NATs that holepunching could not cross (a relay could).
  | 'nat'
  // The blind relay could not be reached, or it dropped or never made the pair.
  | 'relay'
  // The peer answered and said no (an error in its handshake reply, or an incompatible version).
  | 'refused'
  // Anything else: a code this table does not know, or none at all.
  | 'unknown';

const CAUSE_BY_CODE: Readonly<Record<string, ConnectCause>> = {
  PEER_NOT_FOUND: 'offline',
  PEER_CONNECTION_FAILED: 'offline',
  HOLEPUNCH_ABORTED: 'nat',
  HOLEPUNCH_DOUBLE_RANDOMIZED_NATS: 'nat',
  HOLEPUNCH_PROBE_TIMEOUT: 'nat',
  HOLEPUNCH_INVALID: 'nat',
  BAD_HOLEPUNCH_REPLY: 'nat',
  CANNOT_HOLEPUNCH: 'nat',
  REMOTE_NOT_HOLEPUNCHABLE: 'nat',
  REMOTE_NOT_HOLEPUNCHING: 'nat',
  REMOTE_ABORTED: 'nat',
  RELAY_ABORTED: 'relay',
  // blind-relay's own, when the channel to the relay or a pairing ends.
  CHANNEL_CLOSED: 'relay',
  CHANNEL_DESTROYED: 'relay',
  PAIRING_CANCELLED: 'relay',
  ALREADY_PAIRING: 'relay',
  SERVER_ERROR: 'refused',
  SERVER_INCOMPATIBLE: 'refused',
  HANDSHAKE_INVALID: 'refused',
  BAD_HANDSHAKE_REPLY: 'refused',
};

// Codes of a connection that started and then ran out of time. Through a relay the relay is the
// likelier culprit (it stopped forwarding, or never paired us); directly, the peer went away.
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['HANDSHAKE_UNFINISHED', 'REQUEST_TIMEOUT', 'ETIMEDOUT']);

// Why a connection to a peer could not be made: a connect cause, or private mode knowing no relay
// to go through (then nothing was tried, so nobody learned anything).
export type UnreachableWhy = ConnectCause | 'no-relay';

// What the backend rejects a connect with: an UNREACHABLE error that keeps its cause, so the
// call can end in words about what really happened.
export class PeerUnreachable extends CopybaraError {
  constructor(
    readonly why: UnreachableWhy,
    detail: string,
  ) {
    super('UNREACHABLE', detail);
    this.name = 'PeerUnreachable';
  }
}

export function unreachableWhy(err: unknown): UnreachableWhy {
  return err instanceof PeerUnreachable ? err.why : 'unknown';
}

export interface ConnectFailureContext {
  // Whether the connection was to go through a blind relay (private mode).
  relayed: boolean;
}

export function classifyConnectFailure(err: unknown, ctx: ConnectFailureContext): ConnectCause {
  const code = errorCode(err);
  if (code === null) return 'unknown';
  if (TIMEOUT_CODES.has(code)) return ctx.relayed ? 'relay' : 'offline';
  return CAUSE_BY_CODE[code] ?? 'unknown';
}

function errorCode(err: unknown): string | null {
  if (typeof err !== 'object' || err === null) return null;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : null;
}
