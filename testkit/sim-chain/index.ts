import { u8aToHex } from '@polkadot/util';
import { decodeAddress } from '@polkadot/util-crypto';
import { DEFAULT_REGISTRY, DEFAULT_ROUTER, GENESIS_HASH } from '../../lib/names/chains';
import type { Chain } from '../../lib/names/types';
import { type NameSpec, RegistryModel } from './registry-model';
import { type Faults, type SimStats, SimulatedNode } from './server';

// SIMULATED contract chain for tests: never call this "on-chain". A real @polkadot/api talks
// to it over a real WebSocket on 127.0.0.1, reads real substrate-contracts-node metadata,
// and gets ContractsApi_call answered by a stateful model of the AZERO.ID registry and
// router (see registry-model.ts for what is modelled, docs/names.md for the differences).
// Signed transactions are accepted too: signatures are verified for real, included in blocks,
// and their events stored where polkadot.js reads them (extrinsics.ts, txpool.ts, blocks.ts).

export type { Faults, NameSpec, SimStats };
export { ALICE } from './registry-model';
export { DEPOSIT_PER_BYTE } from './contract';
export { INITIAL_FREE } from './storage';

export interface SimChainOptions {
  // Which public deployment to impersonate: its registry and router addresses and TLDs.
  chain?: Chain;
  names?: Record<string, NameSpec>; // by label: { bob: { records: { 'copybara-id': … } } }
  recordsSizeLimit?: number | null;
  faults?: Faults;
  now?: () => number;
  // How long after a transaction is ready its block comes, and how long until it is final.
  blockDelayMs?: number; // default BLOCK_DELAY_MS
  finalityDelayMs?: number; // default FINALITY_DELAY_MS
  // The genesis hash it presents: by default the real one of the chain it impersonates
  // (clients refuse any other); another value simulates an endpoint of the wrong chain.
  genesisHash?: string;
}

export interface SimulatedChain {
  url: string;
  registryAddress: string; // SS58, as configured in a resolver
  routerAddress: string;
  model: RegistryModel;
  stats: SimStats;
  register(label: string, spec?: NameSpec): void;
  setRecord(label: string, key: string, value: string | null): void;
  expire(label: string): void;
  setFault(faults: Faults): void;
  blockNumber(): number; // best block; it advances with every block of transactions
  finalizedNumber(): number;
  nonce(account: string): number; // SS58 or 0x-hex account id: transactions included so far
  freeBalance(account: string): bigint; // plancks; every account starts with INITIAL_FREE
  clearFaults(): void;
  dropConnections(): void; // cut every open socket, keep listening
  down(): Promise<void>; // stop listening: connections are refused
  up(): Promise<void>; // listen again on the same port
  close(): Promise<void>;
}

export async function startSimulatedChain(opts: SimChainOptions = {}): Promise<SimulatedChain> {
  const chain = opts.chain ?? 'azero';
  const now = opts.now ?? Date.now;
  const model = new RegistryModel(chain, now, opts.recordsSizeLimit ?? null);
  for (const [label, spec] of Object.entries(opts.names ?? {})) model.register(label, spec);
  const registryAddress = DEFAULT_REGISTRY[chain];
  const routerAddress = DEFAULT_ROUTER[chain];
  const node = new SimulatedNode(
    {
      registryAddress: u8aToHex(decodeAddress(registryAddress)),
      routerAddress: u8aToHex(decodeAddress(routerAddress)),
      tlds: chain === 'azero' ? ['azero', 'a0'] : ['tzero'],
      model,
    },
    { now, blockDelayMs: opts.blockDelayMs, finalityDelayMs: opts.finalityDelayMs, genesisHash: opts.genesisHash ?? GENESIS_HASH[chain] },
  );
  node.faults = { ...opts.faults };
  await node.listen(0);
  return {
    url: node.url,
    registryAddress,
    routerAddress,
    model,
    stats: node.stats,
    register: (label, spec) => model.register(label, spec),
    setRecord(label, key, value) {
      const out = model.setRecord(label, key, value);
      if ('err' in out) throw new Error(`simulated registry refused the record (error ${out.err})`);
    },
    expire: (label) => model.expire(label),
    setFault(faults) {
      node.faults = { ...node.faults, ...faults };
    },
    clearFaults() {
      node.faults = {};
    },
    blockNumber: () => node.blocks.best.number,
    finalizedNumber: () => node.blocks.finalized.number,
    nonce: (account) => node.accounts.nonce(u8aToHex(decodeAddress(account))),
    freeBalance: (account) => node.accounts.free(u8aToHex(decodeAddress(account))),
    dropConnections: () => node.dropConnections(),
    down: () => node.down(),
    up: () => node.listen(),
    close: () => node.down(),
  };
}
