import { CopybaraError, toErrorInfo } from '../../lib/errors';
import type { HostState } from '../../lib/ext/messages';
import { RESULT_DECODERS } from '../../lib/protocol/native';
import { PendingRequests } from '../../lib/rpc';
import {
  NATIVE_VERSION,
  type NativeRequest,
  type NativeResults,
  type NodeEvent,
  type NodeStatus,
  decodeNodeFrame,
} from '../../lib/protocol/native';

// The background's connection to the local node, through the native-messaging host.
//
// Requests get ids and a bounded wait; replies and events are validated by
// decodeNodeFrame. When the port drops we tell "host not installed" (the user must act)
// from "host went away" (we reconnect with backoff: 1 s, 2 s, 4 s … 30 s). Every
// (re)connect starts with `status`, whose reply re-syncs the calls. While the port is
// open Chromium keeps the MV3 worker alive.

// The parts of runtime.Port we use, so tests can hand in a fake.
export interface NativePortLike {
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(cb: (message: unknown) => void): void };
  onDisconnect: { addListener(cb: (port: NativePortLike & { error?: { message?: string } | null }) => void): void };
}

export interface NativePortOptions {
  connect(): NativePortLike;
  // Chromium reports why a port closed in runtime.lastError (valid only inside
  // onDisconnect); Firefox in port.error.
  lastError(): string | null;
  onEvent(event: NodeEvent): void;
  onHost(host: HostState): void;
  onStatus(status: NodeStatus): void;
  timeoutMs?: number;
  now?(): number;
}

export const REQUEST_TIMEOUT_MS = 15_000;
const BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];

// Chromium: "Specified native messaging host not found.", "Access to the specified native
// messaging host is forbidden."; Firefox: "No such native application …", "… does not have
// permission to use native application …".
export function isHostMissing(reason: string): boolean {
  return /not found|forbidden|no such native application|does not have permission/i.test(reason);
}

type Request = NativeRequest;
type ResultOf<T extends Request['type']> = NativeResults[T];

export class NativePort {
  host: HostState = { kind: 'connecting' };
  status: NodeStatus | null = null;

  private readonly opts: NativePortOptions;
  private port: NativePortLike | null = null;
  private readonly pending: PendingRequests;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private readonly hostWaiters = new Set<() => void>();

  constructor(opts: NativePortOptions) {
    this.opts = opts;
    this.pending = new PendingRequests({
      timeoutMs: opts.timeoutMs ?? REQUEST_TIMEOUT_MS,
      timeoutError: (type, ms) => CopybaraError.TIMEOUT(`the node did not answer "${type}" within ${ms / 1000} s`),
    });
  }

  get ready(): boolean {
    return this.host.kind === 'ready';
  }

  // The host's state once it is known: `connecting` is waited out for at most `ms` (a
  // worker woken by a page's message has only just started connecting).
  async settled(ms: number): Promise<HostState> {
    const deadline = this.now() + ms;
    while (this.host.kind === 'connecting' && this.now() < deadline) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.hostWaiters.delete(done);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, deadline - this.now()));
        this.hostWaiters.add(done);
      });
    }
    return this.host;
  }

  start(): void {
    if (this.port || this.closed) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.setHost({ kind: 'connecting' });
    let port: NativePortLike;
    try {
      port = this.opts.connect();
    } catch (err) {
      // Firefox throws right away when the permission is missing.
      this.onClosed(err instanceof Error ? err.message : String(err));
      return;
    }
    this.port = port;
    port.onMessage.addListener((message) => {
      if (this.port === port) this.onFrame(message);
    });
    port.onDisconnect.addListener((p) => {
      if (this.port !== port) return;
      this.port = null;
      this.onClosed(this.opts.lastError() ?? p?.error?.message ?? 'the Copybara node closed the connection');
    });
    void this.request({ type: 'status' }).then(
      (status) => {
        this.attempt = 0;
        this.status = status;
        this.opts.onStatus(status);
        this.setHost({ kind: 'ready' });
      },
      (err: unknown) => {
        // The host runs but its node does not answer: start over, the bridge retries it.
        if (this.port !== port) return;
        this.port = null;
        port.disconnect();
        this.onClosed(toErrorInfo(err).message);
      },
    );
  }

  // "Reopen the popup" after installing the host, or a "Try again" button.
  retryNow(): void {
    if (this.host.kind === 'missing' || this.host.kind === 'disconnected') {
      this.attempt = 0;
      this.start();
    }
  }

  request<T extends Request['type']>(req: Extract<Request, { type: T }>): Promise<ResultOf<T>> {
    const port = this.port;
    if (!port) return Promise.reject(this.unavailable());
    const decode: (value: unknown) => ResultOf<T> = RESULT_DECODERS[req.type];
    return this.pending.request(req.type, (id) => port.postMessage({ v: NATIVE_VERSION, id, ...req }), decode, {
      sendError: (err) => new CopybaraError('HOST_DISCONNECTED', String(err)),
    });
  }

  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.port?.disconnect();
    this.port = null;
    this.pending.failAll(new CopybaraError('HOST_DISCONNECTED', 'closed'));
  }

  private unavailable(): CopybaraError {
    if (this.host.kind === 'missing') return new CopybaraError('HOST_MISSING', this.host.detail);
    if (this.host.kind === 'disconnected') return new CopybaraError('HOST_DISCONNECTED', this.host.detail);
    return new CopybaraError('HOST_DISCONNECTED', 'not connected to the Copybara node yet');
  }

  private onFrame(message: unknown): void {
    let frame;
    try {
      frame = decodeNodeFrame(message);
    } catch (err) {
      // A malformed reply still fails its request instead of leaving it to time out.
      const id = (message as { id?: unknown } | null)?.id;
      if (typeof id === 'number') this.pending.reject(id, err);
      else console.warn('Copybara: ignoring a malformed message from the node', err);
      return;
    }
    if ('event' in frame) {
      const { v: _v, ...event } = frame;
      this.opts.onEvent(event);
      return;
    }
    // An error reply keeps the node's code (NAME_NOT_REGISTERED stays NAME_NOT_REGISTERED).
    this.pending.settle(frame.id, frame);
  }

  private onClosed(reason: string): void {
    const missing = isHostMissing(reason);
    this.pending.failAll(new CopybaraError(missing ? 'HOST_MISSING' : 'HOST_DISCONNECTED', reason));
    this.status = null;
    if (this.closed) return;
    if (missing) {
      // Nothing changes until the user installs the host; the popup retries when reopened.
      this.setHost({ kind: 'missing', detail: reason });
      return;
    }
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)]!;
    this.attempt++;
    this.setHost({ kind: 'disconnected', detail: reason, retryAt: this.now() + delay });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.start();
    }, delay);
  }

  private setHost(host: HostState): void {
    this.host = host;
    for (const waiter of [...this.hostWaiters]) waiter();
    this.opts.onHost(host);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
