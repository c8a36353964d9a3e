import { CopybaraError } from '../../lib/errors';
import type { SignallingMessage } from '../../lib/protocol/signalling';
import { type Backend, type PeerLink, PeerLinkEmitter, type ServiceConnection } from '../../native-host/node/network/backend';
import type { TurnBinding } from '../../native-host/node/turn/server';
import type { TurnRelay } from '../../native-host/node/calls/media-relay';

// Stand-ins for a link, a network and a TURN server that record what the call engine does
// to them, shared by the calls/ tests.

export class FakeLink extends PeerLinkEmitter implements PeerLink {
  readonly remoteKey: Buffer;
  readonly route = null;
  readonly rttMs = null;
  closed = false;
  readonly sent: SignallingMessage[] = [];
  readonly datagrams: Uint8Array[] = [];
  // What the far side says back to each message we send, if anything.
  reply: ((m: SignallingMessage) => SignallingMessage | null) | null = null;

  constructor(remoteKey: Buffer) {
    super();
    this.remoteKey = remoteKey;
  }

  send(message: SignallingMessage): void {
    this.sent.push(message);
    const answer = this.reply?.(message);
    if (answer) queueMicrotask(() => this.receive(answer));
  }

  sendDatagram(data: Uint8Array): void {
    // A copy, as secret-stream seals the bytes into an envelope of its own before returning.
    this.datagrams.push(Uint8Array.from(data));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', 'closed here');
  }

  // The far side's doing.
  receive(message: SignallingMessage): void {
    this.emit('message', message);
  }

  drop(reason: string): void {
    this.closed = true;
    this.emit('close', reason);
  }

  types(): string[] {
    return this.sent.map((m) => m.type);
  }
}

// How the next connect() goes: a link (resolved at once), an error, or nothing until the
// dialer gives up (then it fails the way HyperdhtBackend does, with the abort reason).
export type Attempt = { link: FakeLink } | { error: Error } | 'hang';

export class FakeBackend implements Backend {
  readonly name = 'fake';
  readonly port = null;
  readonly attempts: Attempt[] = [];
  // Used once `attempts` runs out.
  fallback: () => Attempt = () => 'hang';
  connects: { key: Buffer; at: number }[] = [];
  // connect() ignores aborts when set, like a network that answers a moment too late.
  deaf = false;
  // Links the call engine reported lost (linkLost), in order.
  readonly lost: PeerLink[] = [];

  linkLost(link: PeerLink): void {
    this.lost.push(link);
  }

  async listen(): Promise<void> {}
  async close(): Promise<void> {}

  // The call tests' network carries calls only; sites run on the real one (tests/integration/sites*).
  openService(): Promise<ServiceConnection> {
    return Promise.reject(CopybaraError.UNREACHABLE('the fake network carries no services'));
  }

  connect(remoteKey: Buffer, signal: AbortSignal): Promise<PeerLink> {
    this.connects.push({ key: remoteKey, at: Date.now() });
    const next = this.attempts.shift() ?? this.fallback();
    if (next !== 'hang' && 'error' in next) return Promise.reject(next.error);
    if (next !== 'hang' && this.deaf) return new Promise((resolve) => signal.addEventListener('abort', () => resolve(next.link)));
    if (next !== 'hang') return Promise.resolve(next.link);
    return new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(CopybaraError.UNREACHABLE(String(signal.reason))));
    });
  }
}

export class FakeTurn implements TurnRelay {
  readonly port = 3478;
  readonly users = new Map<string, { password: string; binding: TurnBinding }>();
  readonly removed: string[] = [];
  readonly delivered: { user: string; from: number; to: number; data: Uint8Array }[] = [];

  addUser(username: string, password: string, binding: TurnBinding): void {
    this.users.set(username, { password, binding });
  }

  removeUser(username: string): void {
    this.removed.push(username);
    this.users.delete(username);
  }

  deliver(username: string, fromPort: number, toPort: number, data: Uint8Array): boolean {
    this.delivered.push({ user: username, from: fromPort, to: toPort, data: Uint8Array.from(data) });
    return true;
  }
}
