import { CopybaraError, toErrorInfo } from '../../lib/errors';
import type { Settings } from '../../lib/ext/settings';
import { CHECK_TIMEOUT, type CheckResult } from '../../lib/ext/verification';
import type { ChainEndpoints, Resolution } from '../../lib/names/types';
import { ResolveError } from '../../lib/names/errors';
import { bounded } from '../../lib/names/wait';

// The background's name resolution: one long-lived resolver (lib/names NameResolver,
// which keeps one chain connection per chain), rebuilt when the endpoints in the settings
// change. It serves the popup's lookups (each cancellable by its request id) and the
// checks of callers' names (bounded, never throwing).

export interface ResolverLike {
  resolve(input: string, signal?: AbortSignal): Promise<Resolution>;
  close(): void | Promise<void>;
}

export interface NameServiceOptions {
  makeResolver(endpoints: ChainEndpoints): ResolverLike;
  settings(): Promise<Pick<Settings, 'endpoints'>>;
  now?(): number;
  checkTimeoutMs?: number;
  lookupTimeoutMs?: number;
}

// A caller's name is checked while the call waits to ring; the caller's node gives up
// ringing after 45 s, so the check gets at most 10 s.
export const CHECK_TIMEOUT_MS = 10_000;
// The resolver gives up on an endpoint within 10 s; this bounds a lookup that tries more.
export const LOOKUP_TIMEOUT_MS = 30_000;
// How long a lookup vouches for the popup's following `call` to the node it found.
const RECENT_MS = 10 * 60_000;

export class NameService {
  private readonly opts: NameServiceOptions;
  private resolver: ResolverLike | null = null;
  private resolverKey: string | null = null;
  private readonly lookups = new Map<string, AbortController>();
  private readonly recent = new Map<string, { resolution: Resolution; at: number }>();

  constructor(opts: NameServiceOptions) {
    this.opts = opts;
  }

  // A popup's lookup. `cancel(requestId)` makes it reject with code CANCELLED at once.
  async lookup(requestId: string, input: string): Promise<Resolution> {
    this.cancel(requestId);
    const controller = new AbortController();
    this.lookups.set(requestId, controller);
    try {
      const resolver = await this.current();
      const timeoutMs = this.opts.lookupTimeoutMs ?? LOOKUP_TIMEOUT_MS;
      const resolution = await bounded(resolver.resolve(input, controller.signal), {
        signal: controller.signal,
        timeoutMs,
        onTimeout: () => {
          controller.abort();
          return CopybaraError.TIMEOUT(`the name service did not answer within ${timeoutMs / 1000} s`);
        },
      });
      if (resolution.records.nodeId) this.recent.set(resolution.name.full, { resolution, at: this.now() });
      return resolution;
    } finally {
      if (this.lookups.get(requestId) === controller) this.lookups.delete(requestId);
    }
  }

  cancel(requestId: string): void {
    this.lookups.get(requestId)?.abort();
    this.lookups.delete(requestId);
  }

  cancelAll(): void {
    for (const c of this.lookups.values()) c.abort();
    this.lookups.clear();
  }

  // The resolution behind a popup's `call {target, name}`, if a lookup of ours really
  // found that node for that name a short while ago. The popup's word alone is not enough.
  confirmed(name: string, nodeId: string): Resolution | null {
    const hit = this.recent.get(name);
    if (!hit || hit.resolution.records.nodeId !== nodeId || this.now() - hit.at > RECENT_MS) return null;
    return hit.resolution;
  }

  // A caller's claimed name, for lib/ext/verification.ts. Never throws; settles within
  // the check timeout even if the resolver ignores the abort.
  async check(name: string): Promise<CheckResult> {
    const controller = new AbortController();
    const timeoutMs = this.opts.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
    try {
      const resolver = await this.current();
      // Aborting on timeout stops the resolver's work too; `bounded` settles even if the
      // resolver ignored the signal.
      const resolution = await bounded(resolver.resolve(name, controller.signal), {
        signal: controller.signal,
        timeoutMs,
        onTimeout: () => {
          controller.abort();
          // Our bound, not the resolver's: its own code tells the two apart.
          return new ResolveError(CHECK_TIMEOUT, `no answer within ${timeoutMs / 1000} s`);
        },
      });
      return { ok: true, resolution };
    } catch (err) {
      return { ok: false, error: toErrorInfo(err) };
    }
  }

  close(): void {
    this.cancelAll();
    this.dropResolver();
  }

  private async current(): Promise<ResolverLike> {
    const { endpoints } = await this.opts.settings();
    const key = JSON.stringify([endpoints.azero, endpoints.tzero]);
    if (!this.resolver || key !== this.resolverKey) {
      this.dropResolver();
      this.resolver = this.opts.makeResolver({ azero: [...endpoints.azero], tzero: [...endpoints.tzero] });
      this.resolverKey = key;
    }
    return this.resolver;
  }

  private dropResolver(): void {
    const old = this.resolver;
    this.resolver = null;
    this.resolverKey = null;
    if (old) Promise.resolve(old.close()).catch((err: unknown) => console.warn('Copybara: closing the name resolver failed', err));
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}
