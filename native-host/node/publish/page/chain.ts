import type { Signer } from '@polkadot/api/types';
import { CopybaraError } from '../../../../lib/errors';
import { GENESIS_HASH } from '../../../../lib/names/chains';
import { ResolveError } from '../../../../lib/names/errors';
import type { Chain, ParsedName } from '../../../../lib/names/types';
import {
  type ChainHandle,
  type Domain,
  type PublishPlan,
  type RegistryRef,
  PublishError,
  confirmPublished,
  findRegistry,
  listDomains,
  openChain,
  planPublish,
  submitPublish,
} from '../../../../lib/publish';

// The page's one door to the chain (lib/publish): one connection and one registry per chain,
// kept while the page is open.

export type { Domain, PublishPlan };

export interface ChainLink {
  chain: Chain;
  endpoint: string;
  listDomains(address: string): Promise<Domain[]>;
  // The dry run: fee, deposit, or a PublishError before anything is signed.
  plan(address: string, name: ParsedName, records: [string, string][]): Promise<PublishPlan>;
  // Resolves once included in a block; `onStatus` hears each step in words.
  submit(plan: PublishPlan, signer: Signer, onStatus: (text: string) => void): Promise<{ blockNumber: number | null }>;
  // Reads what was written back; throws MISMATCH (in words) if it differs.
  confirm(plan: PublishPlan): Promise<void>;
}

// The registry of each TLD, asked once per chain.
const CANONICAL_TLD: Record<Chain, string> = { azero: 'azero', tzero: 'tzero' };

export async function connectChain(chain: Chain, endpoints: readonly string[]): Promise<ChainLink> {
  // The page only ever publishes on the real chain it was opened for.
  const handle: ChainHandle = await openChain(endpoints, { genesisHash: GENESIS_HASH[chain] });
  const { api } = handle;
  const registries = new Map<string, Promise<RegistryRef>>();
  const registry = (tld: string): Promise<RegistryRef> => {
    const known = registries.get(tld);
    if (known) return known;
    const r: Promise<RegistryRef> = findRegistry(api, tld);
    r.catch(() => registries.delete(tld));
    registries.set(tld, r);
    return r;
  };
  // Leaving the page closes the socket instead of leaving it to the browser's teardown.
  addEventListener('pagehide', () => void handle.close().catch(() => {}), { once: true });
  return {
    chain,
    endpoint: handle.endpoint,
    async listDomains(address) {
      return listDomains(api, await registry(CANONICAL_TLD[chain]), address);
    },
    async plan(address, name, records) {
      return planPublish(api, { address, name: name.full, records, registry: await registry(name.tld) });
    },
    async submit(plan, signer, onStatus) {
      const result = await submitPublish(api, plan, signer, (s) => onStatus(s.text));
      return { blockNumber: result.blockNumber };
    },
    confirm(plan) {
      return confirmPublished(api, plan);
    },
  };
}

// Any failure as a sentence to show as is.
export function problemText(err: unknown): string {
  if (err instanceof PublishError) return err.message;
  if (err instanceof CopybaraError) return sentence(err.detail);
  if (err instanceof ResolveError) return sentence(err.message);
  return sentence(err instanceof Error ? err.message : String(err));
}

function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return 'Something went wrong.';
  return t[0]!.toUpperCase() + t.slice(1) + (/[.!?…]$/.test(t) ? '' : '.');
}
