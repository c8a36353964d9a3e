import type { ApiPromise } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { ResolveError } from './errors';
import type { ContractOutput } from './registry-codec';
import { bounded, duration, unref } from './wait';

// One long-lived connection to one chain, shared by every lookup on it: connecting costs a
// metadata download, a query on a warm connection one round trip.
//
// Each endpoint gets its own WsProvider with auto-reconnect OFF. A WsProvider given the whole
// list with autoConnectMs > 0 rotates through it forever in the background, even after a
// lookup gave up; we instead try the endpoints in order, each bounded by the connect
// timeout, and a dead connection is simply dropped and reopened by the next lookup.

export interface ConnectionOptions {
  endpoints: readonly string[];
  connectTimeoutMs: number;
  queryTimeoutMs: number;
  idleCloseMs: number;
}

interface Live {
  api: ApiPromise;
  endpoint: string;
}

// The parts of api.call.contractsApi.call's answer we read. Newer runtimes describe it in
// their own metadata (flags as a `{ bits }` struct, an extra `events` field); reading flags
// through their u32 encoding works for both shapes.
interface ExecResult {
  result: {
    isOk: boolean;
    asOk: { flags: { toU8a(): Uint8Array }; data: { toU8a(bare?: boolean): Uint8Array } };
    asErr: { toString(): string; isModule?: boolean; asModule?: unknown };
  };
}
type ContractsCall = (origin: string, dest: string, value: number, gas: null, deposit: null, input: string) => Promise<ExecResult>;

let polkadot: Promise<[typeof import('@polkadot/api'), typeof import('@polkadot/types')]> | null = null;
// Loaded on first use: a cached answer, or an invalid name, never pays for polkadot.js
// (about a second to load in Node).
function loadPolkadot() {
  polkadot ??= Promise.all([import('@polkadot/api'), import('@polkadot/types')]);
  return polkadot;
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
      const contracts = (live.api.call as unknown as { contractsApi?: { call?: ContractsCall } }).contractsApi?.call;
      if (!contracts) throw ResolveError.chain('this chain has no contracts runtime API', live.endpoint);
      // Hex, not a Uint8Array: polkadot.js reads a bare Uint8Array for `Vec<u8>` as already
      // length-prefixed, and would mangle our input.
      const answer = contracts(dest, dest, 0, null, null, u8aToHex(input));
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
    const failures: Array<{ endpoint: string; why: string }> = [];
    for (const endpoint of this.#opts.endpoints) {
      try {
        return await this.#openOne(endpoint);
      } catch (err) {
        failures.push({ endpoint, why: err instanceof Error ? err.message : String(err) });
      }
    }
    if (failures.length === 1) throw ResolveError.unreachable(failures[0]!.endpoint, failures[0]!.why);
    const all = failures.map((f) => `${f.endpoint} (${f.why})`).join(', ');
    throw new ResolveError('CHAIN_UNREACHABLE', `The name service could not be reached at any of ${all}`, this.#opts.endpoints.join(','), all);
  }

  async #openOne(endpoint: string): Promise<Live> {
    const [{ ApiPromise, WsProvider }, { rpcDefinitions }] = await loadPolkadot();
    let provider: InstanceType<typeof WsProvider>;
    try {
      provider = new WsProvider(endpoint, false);
    } catch {
      throw new Error('not a ws:// or wss:// address');
    }
    // initWasm: false — the pure-JS hashing suffices for reading, and a service worker's CSP
    // may not allow WebAssembly. state_call redefined only to stop rpc-core printing every
    // failed call to the console: failures reach the caller as coded errors instead.
    const api = new ApiPromise({
      provider,
      initWasm: false,
      noInitWarn: true,
      metadata: this.#metadata,
      rpc: { state: { call: { ...rpcDefinitions.state!.call!, noErrorLog: true } } },
    });
    const offs: Array<() => void> = [];
    const failed = new Promise<never>((_, reject) => {
      offs.push(provider.on('error', (e: unknown) => reject(new Error(socketReason(e)))));
      offs.push(provider.on('disconnected', () => reject(new Error('the connection closed'))));
    });
    failed.catch(() => undefined);
    try {
      await provider.connect();
      await bounded(Promise.race([api.isReadyOrError, failed]), {
        timeoutMs: this.#opts.connectTimeoutMs,
        onTimeout: () => new Error(`no answer within ${duration(this.#opts.connectTimeoutMs)}`),
      });
    } catch (err) {
      await api.disconnect().catch(() => undefined);
      const why = err instanceof Error ? err.message : socketReason(err);
      // ApiPromise reports a failed start as "FATAL: Unable to initialize the API: …".
      throw new Error(/FATAL/.test(why) ? `it answered, but not like an Aleph Zero node (${why.replace(/^.*?API: /, '').slice(0, 150)})` : why);
    } finally {
      for (const off of offs) off();
    }
    try {
      this.#metadata[`${api.genesisHash.toHex()}-${api.runtimeVersion.specVersion.toString()}`] = api.runtimeMetadata.toHex();
    } catch {
      // only an optimisation
    }
    const live: Live = { api, endpoint };
    // Drop it the moment it dies: no background reconnects, the next lookup opens afresh.
    provider.on('disconnected', () => this.#drop(live));
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

function outputOf(res: ExecResult, endpoint: string): ContractOutput {
  try {
    const r = res.result;
    if (!r.isOk) throw ResolveError.chain(`the contract call failed on chain (${dispatchErrorText(r.asErr)})`, endpoint);
    const flagBytes = r.asOk.flags.toU8a();
    if (flagBytes.length !== 4) throw ResolveError.chain('the return flags are not a u32', endpoint);
    const flags = (flagBytes[0]! | (flagBytes[1]! << 8) | (flagBytes[2]! << 16) | (flagBytes[3]! << 24)) >>> 0;
    return { flags, data: r.asOk.data.toU8a(true) };
  } catch (err) {
    if (err instanceof ResolveError) throw err;
    throw ResolveError.chain('the answer is not a contract call result', endpoint);
  }
}

function dispatchErrorText(err: ExecResult['result']['asErr']): string {
  try {
    if (err.isModule && err.asModule) {
      const registry = (err as unknown as { registry: { findMetaError(m: unknown): { name: string } } }).registry;
      return registry.findMetaError(err.asModule).name;
    }
  } catch {
    // fall through to the raw form
  }
  return err.toString().slice(0, 200);
}

// ws (Node) errors carry a message such as "connect ECONNREFUSED 127.0.0.1:9944"; browsers
// give an Event with no detail at all.
function socketReason(e: unknown): string {
  const message = (e as { message?: unknown; error?: { message?: unknown } } | null)?.message ?? (e as { error?: { message?: unknown } })?.error?.message;
  if (typeof message === 'string' && message !== '') {
    if (/ECONNREFUSED/.test(message)) return 'connection refused';
    if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'host not found';
    return message.slice(0, 200);
  }
  return 'the connection failed';
}
