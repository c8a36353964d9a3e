import type { ApiPromise } from '@polkadot/api';
import { ResolveError } from './errors';
import { bounded, duration } from './wait';

// Opening an ApiPromise on the first reachable endpoint of an ordered list, shared by name
// resolution (connection.ts) and publishing (lib/publish/).
//
// Each endpoint gets its own WsProvider with auto-reconnect OFF. A WsProvider given the whole
// list with autoConnectMs > 0 rotates through it forever in the background, even after the
// caller gave up; we instead try the endpoints in order, each bounded by the connect timeout.

export interface OpenApiOptions {
  // Per endpoint: socket + metadata.
  connectTimeoutMs: number;
  // Metadata seen before, by `${genesisHash}-${specVersion}` (the key ApiPromise looks up):
  // filled in on success, so reconnecting skips the download unless the runtime changed.
  metadata?: Record<string, `0x${string}`>;
  // The chain the endpoint must serve: an endpoint whose block 0 has another hash is a
  // different chain (a test network, a fork, or a node made up to answer our lookups), and
  // anything it says about names is refused.
  genesisHash?: string;
}

// The endpoint answered, but for another chain. Not "unreachable": trying later will not help.
export class WrongChainError extends Error {
  constructor(endpoint: string, found: string, expected: string) {
    super(`${endpoint} serves a different chain (genesis hash ${found}, expected ${expected}); check the endpoint in the settings`);
    this.name = 'WrongChainError';
  }
}

export interface OpenedApi {
  api: ApiPromise;
  endpoint: string;
}

let polkadot: Promise<[typeof import('@polkadot/api'), typeof import('@polkadot/types')]> | null = null;
// Loaded on first use: a cached answer, or an invalid name, never pays for polkadot.js
// (about a second to load in Node).
export function loadPolkadot() {
  polkadot ??= Promise.all([import('@polkadot/api'), import('@polkadot/types')]);
  return polkadot;
}

// The first endpoint that opens, or CHAIN_UNREACHABLE naming each endpoint and why.
export async function openFirst(endpoints: readonly string[], opts: OpenApiOptions): Promise<OpenedApi> {
  if (endpoints.length === 0) throw new Error('a chain needs at least one endpoint');
  const failures: Array<{ endpoint: string; why: string }> = [];
  const wrongChain: string[] = [];
  for (const endpoint of endpoints) {
    try {
      return { api: await openApi(endpoint, opts), endpoint };
    } catch (err) {
      if (err instanceof WrongChainError) wrongChain.push(err.message);
      failures.push({ endpoint, why: err instanceof Error ? err.message : String(err) });
    }
  }
  // Some endpoint answered for another chain: say that, not "unreachable", since it is the
  // settings that need changing.
  if (wrongChain.length > 0) {
    const others = failures.filter((f) => !wrongChain.includes(f.why)).map((f) => `${f.endpoint} (${f.why})`);
    const why = [...wrongChain, ...(others.length > 0 ? [`and could not reach ${others.join(', ')}`] : [])].join('; ');
    throw ResolveError.chain(why, endpoints.join(','));
  }
  if (failures.length === 1) throw ResolveError.unreachable(failures[0]!.endpoint, failures[0]!.why);
  const all = failures.map((f) => `${f.endpoint} (${f.why})`).join(', ');
  throw new ResolveError('CHAIN_UNREACHABLE', `The name service could not be reached at any of ${all}`, endpoints.join(','), all);
}

// One endpoint, bounded by the connect timeout. Fails with a plain Error whose message says
// why in words ("connection refused", "no answer within 10 s").
export async function openApi(endpoint: string, opts: OpenApiOptions): Promise<ApiPromise> {
  const [{ ApiPromise, WsProvider }, { rpcDefinitions }] = await loadPolkadot();
  let provider: InstanceType<typeof WsProvider>;
  try {
    provider = new WsProvider(endpoint, false);
  } catch {
    throw new Error('not a ws:// or wss:// address');
  }
  // initWasm: false — the pure-JS hashing suffices (signing happens in the wallet), and a
  // service worker's CSP may not allow WebAssembly. state_call and submitAndWatchExtrinsic
  // redefined only to stop rpc-core printing every failed call to the console: failures
  // reach the caller as coded errors instead.
  const api = new ApiPromise({
    provider,
    initWasm: false,
    noInitWarn: true,
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
    rpc: {
      state: { call: { ...rpcDefinitions.state!.call!, noErrorLog: true } },
      author: { submitAndWatchExtrinsic: { ...rpcDefinitions.author!.submitAndWatchExtrinsic!, noErrorLog: true } },
    },
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
      timeoutMs: opts.connectTimeoutMs,
      onTimeout: () => new Error(`no answer within ${duration(opts.connectTimeoutMs)}`),
    });
  } catch (err) {
    await api.disconnect().catch(() => undefined);
    const why = err instanceof Error ? err.message : socketReason(err);
    // ApiPromise reports a failed start as "FATAL: Unable to initialize the API: …".
    throw new Error(
      /FATAL/.test(why) ? `it answered, but not like an Aleph Zero node (${why.replace(/^.*?API: /, '').slice(0, 150)})` : why,
    );
  } finally {
    for (const off of offs) off();
  }
  if (opts.genesisHash !== undefined) {
    const found = api.genesisHash.toHex().toLowerCase();
    const expected = opts.genesisHash.toLowerCase();
    if (found !== expected) {
      await api.disconnect().catch(() => undefined);
      throw new WrongChainError(endpoint, found, expected);
    }
  }
  if (opts.metadata) {
    try {
      opts.metadata[`${api.genesisHash.toHex()}-${api.runtimeVersion.specVersion.toString()}`] = api.runtimeMetadata.toHex();
    } catch {
      // only an optimisation
    }
  }
  return api;
}

// ws (Node) errors carry a message such as "connect ECONNREFUSED 127.0.0.1:9944"; browsers
// give an Event with no detail at all.
export function socketReason(e: unknown): string {
  const message =
    (e as { message?: unknown; error?: { message?: unknown } } | null)?.message ?? (e as { error?: { message?: unknown } })?.error?.message;
  if (typeof message === 'string' && message !== '') {
    if (/ECONNREFUSED/.test(message)) return 'connection refused';
    if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'host not found';
    return message.slice(0, 200);
  }
  return 'the connection failed';
}
