import type { ApiPromise } from '@polkadot/api';
import { dryRunCall, outputOf } from './contract-call';
import { ResolveError } from './errors';
import { openFirst } from './open-api';
import type { ContractOutput } from './registry-codec';
import { bounded, duration, unref } from './wait';

// One long-lived connection to one chain, shared by every lookup on it: connecting costs a
// metadata download, a query on a warm connection one round trip.
//
// Endpoints are tried in order, each bounded by the connect timeout (open-api.ts), and a
// dead connection is simply dropped and reopened by the next lookup.

export interface ConnectionOptions {
  endpoints: readonly string[];
  // Every endpoint must serve the chain with this genesis hash (open-api.ts checks it).
  genesisHash?: string;
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  idleCloseMs: number;
}

interface Live {
  api: ApiPromise;
  endpoint: string;
}

export class ChainConnection {
  readonly #opts: ConnectionOptions;
  #live: Live | null = null;
  #opening: Promise<Live> | null = null;
  #active = 0;
  #idleTimer: ReturnType<typeof setTimeout> | null = null;
  // Bumped by close(): a connection that finishes opening after close() is closed at once.
  #generation = 0;
  // Metadata seen on this chain, by `${genesisHash}-${specVersion}` (the key ApiPromise
  // looks up): reconnecting after an idle close skips the metadata download unless the
  // runtime was upgraded meanwhile.
  readonly #metadata: Record<string, `0x${string}`> = {};

  constructor(opts: ConnectionOptions) {
    if (opts.endpoints.length === 0) throw new Error('a chain needs at least one endpoint');
    this.#opts = opts;
  }

  get endpoint(): string | null {
    return this.#live?.endpoint ?? null;
  }

  get isOpen(): boolean {
    return this.#live !== null;
  }

  // Dry-run one contract message (nothing is signed or stored): ContractsApi_call from the
  // contract's own address, value 0, no gas or deposit limit (the node then allows a full
  // block's worth), input data as we encoded it.
  async call(dest: string, input: Uint8Array): Promise<ContractOutput & { endpoint: string }> {
    this.#active++;
    this.#clearIdle();
    try {
      const live = await this.#connect();
      const answer = dryRunCall(live.api, dest, dest, input, live.endpoint);
      const res = await bounded(answer, {
        timeoutMs: this.#opts.queryTimeoutMs,
        onTimeout: () => {
          // A node that stopped answering is not worth keeping; the next lookup reconnects.
          this.#drop(live);
          return ResolveError.unreachable(live.endpoint, `no answer within ${duration(this.#opts.queryTimeoutMs)}`);
        },
      }).catch((err: unknown) => {
        throw this.#callFailure(live, err);
      });
      return { ...outputOf(res, live.endpoint), endpoint: live.endpoint };
    } finally {
      this.#active--;
      this.#armIdle();
    }
  }

  async close(): Promise<void> {
    this.#generation++;
    this.#clearIdle();
    const live = this.#live;
    this.#live = null;
    this.#opening = null;
    if (live) await live.api.disconnect().catch(() => undefined);
  }

  #connect(): Promise<Live> {
    if (this.#live) return Promise.resolve(this.#live);
    if (!this.#opening) {
      const generation = this.#generation;
      const opening = this.#openAny().then(async (live) => {
        if (generation !== this.#generation) {
          await live.api.disconnect().catch(() => undefined);
          throw ResolveError.cancelled();
        }
        this.#live = live;
        return live;
      });
      this.#opening = opening;
      const clear = () => {
        if (this.#opening === opening) this.#opening = null;
      };
      opening.then(clear, clear);
    }
    return this.#opening;
  }

  async #openAny(): Promise<Live> {
    const live = await openFirst(this.#opts.endpoints, {
      connectTimeoutMs: this.#opts.connectTimeoutMs,
      metadata: this.#metadata,
      ...(this.#opts.genesisHash ? { genesisHash: this.#opts.genesisHash } : {}),
    });
    // Drop it the moment it dies: no background reconnects, the next lookup opens afresh.
    live.api.on('disconnected', () => this.#drop(live));
    return live;
  }

  #callFailure(live: Live, err: unknown): ResolveError {
    if (err instanceof ResolveError) return err;
    if (!live.api.isConnected || (err instanceof Error && /disconnected from|not connected/i.test(err.message))) {
      this.#drop(live);
      return ResolveError.unreachable(live.endpoint, 'the connection dropped during the lookup');
    }
    const why = err instanceof Error ? err.message : String(err);
    return ResolveError.chain(`the contract call failed (${why.split('\n')[0]!.slice(0, 200)})`, live.endpoint);
  }

  #drop(live: Live): void {
    if (this.#live === live) this.#live = null;
    void live.api.disconnect().catch(() => undefined);
  }

  #clearIdle(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #armIdle(): void {
    if (this.#active > 0 || !this.#live) return;
    this.#clearIdle();
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      if (this.#active === 0 && this.#live) this.#drop(this.#live);
    }, this.#opts.idleCloseMs);
    unref(this.#idleTimer);
  }
}
