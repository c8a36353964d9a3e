import type { ApiPromise } from '@polkadot/api';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { DEFAULT_REGISTRY, DEFAULT_ROUTER, TLD_CHAIN, CANONICAL_TLD, type RegistryChoice } from '../names/chains';
import { type ExecResult, decodedAt, dryRunCall, outputOf, registryFromRouter } from '../names/contract-call';
import { ResolveError, shown } from '../names/errors';
import { openFirst } from '../names/open-api';
import { type ContractOutput, encodeGetRegistry } from '../names/registry-codec';
import type { Chain } from '../names/types';
import { bounded, duration } from '../names/wait';
import { PublishError, asPublishError } from './errors';

// The connection a publishing page works on, and the contract reads every step shares.
// Unlike name resolution (a long-lived shared connection), a page opens one connection for
// its own lifetime: it subscribes to its transaction's progress over it.

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
// One dry run on an open connection.
export const DEFAULT_QUERY_TIMEOUT_MS = 15_000;

export interface ChainHandle {
  api: ApiPromise;
  endpoint: string;
  close(): Promise<void>;
}

export interface RegistryRef {
  address: string; // SS58
  tld: string; // canonical: 'azero' (also for .a0) or 'tzero'
  chain: Chain;
  // How it was found: the router's answer, the deployed default (the router had none), or
  // an address the caller gave.
  source: 'router' | 'default' | 'configured';
}

// Which endpoint an api was opened on, so later failures can name it.
const endpoints = new WeakMap<ApiPromise, string>();

export function endpointOf(api: ApiPromise): string | null {
  return endpoints.get(api) ?? null;
}

// genesisHash: the chain the endpoints must serve (lib/names/chains.ts GENESIS_HASH); an
// endpoint of another chain is refused (CHAIN, naming it) before anything is read or signed.
export async function openChain(
  list: readonly string[],
  opts: { connectTimeoutMs?: number; genesisHash?: string } = {},
): Promise<ChainHandle> {
  if (list.length === 0)
    throw new PublishError('UNREACHABLE', 'No Aleph Zero endpoint is configured. Add one (for example wss://ws.azero.dev) and try again.');
  try {
    const { api, endpoint } = await openFirst(list, {
      connectTimeoutMs: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      ...(opts.genesisHash ? { genesisHash: opts.genesisHash } : {}),
    });
    endpoints.set(api, endpoint);
    return { api, endpoint, close: () => api.disconnect().catch(() => undefined) };
  } catch (err) {
    const e = asPublishError(err);
    if (e.code !== 'UNREACHABLE') throw e;
    const detail = ResolveError.is(err) ? err.why : e.message;
    if (list.length === 1) throw PublishError.unreachable(list[0]!, detail);
    throw new PublishError(
      'UNREACHABLE',
      `No Aleph Zero node could be reached: ${detail}. Check your connection, or try another endpoint.`,
      list.join(','),
    );
  }
}

export interface DryRun {
  exec: ExecResult;
  endpoint: string;
}

// One dry run, bounded; a node that stops answering or a dropped connection is UNREACHABLE
// naming the endpoint, anything else CHAIN.
export async function dryRun(
  api: ApiPromise,
  origin: string,
  dest: string,
  input: Uint8Array,
  timeoutMs = DEFAULT_QUERY_TIMEOUT_MS,
): Promise<DryRun> {
  const endpoint = endpointOf(api) ?? 'the connected node';
  try {
    const exec = await bounded(dryRunCall(api, origin, dest, input, endpoint), {
      timeoutMs,
      onTimeout: () => PublishError.unreachable(endpoint, `no answer within ${duration(timeoutMs)}`),
    });
    return { exec, endpoint };
  } catch (err) {
    if (err instanceof PublishError) throw err;
    if (!api.isConnected || (err instanceof Error && /disconnected from|not connected/i.test(err.message))) {
      throw PublishError.unreachable(endpoint, 'the connection dropped');
    }
    throw asPublishError(err, endpoint);
  }
}

// A read-only message: its decoded answer, the decoder's complaints as CHAIN errors.
export async function readContract<T>(api: ApiPromise, dest: string, input: Uint8Array, decode: (out: ContractOutput) => T): Promise<T> {
  const { exec, endpoint } = await dryRun(api, dest, dest, input);
  try {
    return decodedAt(endpoint, () => decode(outputOf(exec, endpoint)));
  } catch (err) {
    throw asPublishError(err, endpoint);
  }
}

// The registry serving `tld` ('azero', 'a0' or 'tzero'). By default the router deployed
// for that chain is asked, as the router is what AZERO.ID itself consults; when it has no
// answer (no router there, or it knows no registry for the TLD) the deployed registry that
// name resolution reads by default is used. An unreachable chain is never papered over.
export async function findRegistry(api: ApiPromise, tld: string, opts: { registry?: RegistryChoice } = {}): Promise<RegistryRef> {
  const typed = tld.trim().replace(/^\./, '').toLowerCase();
  const chain = TLD_CHAIN[typed];
  if (chain === undefined)
    throw new PublishError('NAME_INVALID', `".${shown(tld)}" is not an AZERO.ID top-level domain: use .azero, .a0 or .tzero.`);
  const canonical = CANONICAL_TLD[chain];
  const choice = opts.registry;
  if (typeof choice === 'string') return { address: ss58(api, choice), tld: canonical, chain, source: 'configured' };
  const router = choice?.router ?? DEFAULT_ROUTER[chain];
  try {
    const { exec, endpoint } = await dryRun(api, router, router, encodeGetRegistry(typed));
    const hex = (() => {
      try {
        return registryFromRouter(outputOf(exec, endpoint), router, typed, endpoint);
      } catch (err) {
        throw asPublishError(err, endpoint);
      }
    })();
    return { address: ss58(api, hex), tld: canonical, chain, source: 'router' };
  } catch (err) {
    // A router the caller named must answer; only the default one may be missing.
    if (PublishError.is(err, 'UNREACHABLE') || choice !== undefined) throw asPublishError(err);
    return { address: DEFAULT_REGISTRY[chain], tld: canonical, chain, source: 'default' };
  }
}

// Addresses as the chain writes them (Aleph Zero: generic prefix 42, "5…").
export function ss58(api: ApiPromise, address: string | Uint8Array): string {
  let raw: Uint8Array;
  try {
    raw = decodeAddress(address);
  } catch {
    throw new PublishError('CHAIN', `"${typeof address === 'string' ? shown(address) : 'bytes'}" is not a valid account address.`);
  }
  const prefix = api.registry.chainSS58;
  return encodeAddress(raw, typeof prefix === 'number' ? prefix : 42);
}

// Whether two addresses name the same account, whatever their SS58 prefix.
export function sameAccount(a: string | Uint8Array, b: string | Uint8Array): boolean {
  try {
    const x = decodeAddress(a);
    const y = decodeAddress(b);
    return x.length === y.length && x.every((v, i) => v === y[i]);
  } catch {
    return false;
  }
}

// The account bytes of an address the caller gave (a page's wallet account).
export function accountBytes(address: string): Uint8Array {
  let raw: Uint8Array | null = null;
  try {
    raw = decodeAddress(address);
  } catch {
    // worded below
  }
  if (raw === null || raw.length !== 32) {
    throw new PublishError('INVALID', `"${shown(address)}" is not a valid Aleph Zero account address. Choose an account from your wallet.`);
  }
  return raw;
}
