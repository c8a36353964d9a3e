import type { ResolverLike } from '../../entrypoints/background/names';
import type { NativePortLike } from '../../entrypoints/background/native-port';
import type { PagePort } from '../../entrypoints/background/pages';
import { ResolveError } from '../../lib/names/errors';
import type { ChainEndpoints, Resolution } from '../../lib/names/types';

// Stand-ins for runtime.Port (a native port the test answers by hand, and page ports) and
// for the name resolver.

type Listener<A extends unknown[]> = (...args: A) => void;

export class FakeNativePort implements NativePortLike {
  sent: Record<string, unknown>[] = [];
  disconnected = false;
  error: { message: string } | null = null;
  private readonly messageListeners: Listener<[unknown]>[] = [];
  private readonly disconnectListeners: Listener<[FakeNativePort]>[] = [];

  onMessage = { addListener: (cb: Listener<[unknown]>) => void this.messageListeners.push(cb) };
  onDisconnect = { addListener: (cb: Listener<[FakeNativePort]>) => void this.disconnectListeners.push(cb) };

  postMessage(message: unknown): void {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.sent.push(message as Record<string, unknown>);
  }

  disconnect(): void {
    this.disconnected = true;
  }

  // Test side ----------------------------------------------------------------------------

  deliver(message: unknown): void {
    for (const cb of this.messageListeners) cb(message);
  }

  last(type?: string): Record<string, unknown> {
    const list = type ? this.sent.filter((m) => m.type === type) : this.sent;
    const m = list[list.length - 1];
    if (!m) throw new Error(`nothing of type ${type} was sent`);
    return m;
  }

  reply(request: Record<string, unknown>, result: unknown): void {
    this.deliver({ v: 1, id: request.id, ok: true, result });
  }

  fail(request: Record<string, unknown>, code: string, message: string): void {
    this.deliver({ v: 1, id: request.id, ok: false, error: { code, message } });
  }

  // Simulates the browser closing the port; `lastError` is what Chromium would report.
  drop(setLastError: (e: string | null) => void, lastError: string | null): void {
    this.disconnected = true;
    setLastError(lastError);
    for (const cb of this.disconnectListeners) cb(this);
    setLastError(null);
  }
}

export class FakePagePort implements PagePort {
  received: Record<string, unknown>[] = [];
  disconnected = false;
  private readonly messageListeners: Listener<[unknown]>[] = [];
  private readonly disconnectListeners: Listener<[]>[] = [];
  readonly name: string;
  readonly sender: { id?: string; url?: string; tab?: { id?: number } };

  constructor(name: string, sender: FakePagePort['sender']) {
    this.name = name;
    this.sender = sender;
  }

  onMessage = { addListener: (cb: Listener<[unknown]>) => void this.messageListeners.push(cb) };
  onDisconnect = { addListener: (cb: Listener<[]>) => void this.disconnectListeners.push(cb) };

  postMessage(message: unknown): void {
    this.received.push(message as Record<string, unknown>);
  }

  disconnect(): void {
    this.disconnected = true;
  }

  send(message: unknown): void {
    for (const cb of this.messageListeners) cb(message);
  }

  close(): void {
    for (const cb of this.disconnectListeners) cb();
  }

  ofType(type: string): Record<string, unknown>[] {
    return this.received.filter((m) => m.type === type);
  }
}

// A name resolver the test answers by hand: every resolve() waits until the test settles it.
export interface PendingLookup {
  input: string;
  signal: AbortSignal | undefined;
  resolve(r: Resolution): void;
  reject(err: unknown): void;
}

export class FakeResolver implements ResolverLike {
  readonly endpoints: ChainEndpoints;
  lookups: PendingLookup[] = [];
  closed = false;

  constructor(endpoints: ChainEndpoints) {
    this.endpoints = endpoints;
  }

  resolve(input: string, signal?: AbortSignal): Promise<Resolution> {
    return new Promise((resolve, reject) => {
      this.lookups.push({ input, signal, resolve, reject });
      // Like the real resolver: an abort rejects with CANCELLED.
      signal?.addEventListener('abort', () => reject(new ResolveError('CANCELLED', 'name lookup cancelled')));
    });
  }

  close(): void {
    this.closed = true;
  }

  last(): PendingLookup {
    const l = this.lookups[this.lookups.length - 1];
    if (!l) throw new Error('no lookup was made');
    return l;
  }
}

export function resolution(full: string, nodeId: string | null, over: Partial<Resolution> = {}): Resolution {
  const [label = '', tld = 'azero'] = full.split('.');
  return {
    name: { label, tld, chain: tld === 'tzero' ? 'tzero' : 'azero', full },
    records: { nodeId, staexId: null },
    verifiedAt: 1_700_000_000_000,
    fromCache: false,
    ...over,
  };
}
