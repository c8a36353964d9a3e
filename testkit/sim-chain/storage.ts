import { u8aConcat, u8aToHex } from '@polkadot/util';
import { xxhashAsU8a } from '@polkadot/util-crypto';
import type { Block, SimBlocks } from './blocks';
import { registry } from './runtime';

// SIMULATED storage: the few keys polkadot.js reads while signing and watching a transaction
// (System.Account for the nonce, System.Events for the outcome, System.Number). Everything
// else reads as absent, as an unknown key does on a real node. Accounts are not modelled
// beyond nonce and a balance that pays fees and storage deposits: every account starts
// funded, so tests need no faucet. Account state has no history: any block reads the latest.

// SIMULATED: the balance every account starts with (1000 AZERO at 12 decimals).
export const INITIAL_FREE = 1_000n * 10n ** 12n;

const prefix = (pallet: string, item: string) => u8aConcat(xxhashAsU8a(pallet, 128), xxhashAsU8a(item, 128));
const ACCOUNT_PREFIX = u8aToHex(prefix('System', 'Account'));
export const EVENTS_KEY = u8aToHex(prefix('System', 'Events'));
export const NUMBER_KEY = u8aToHex(prefix('System', 'Number'));

interface AccountState {
  nonce: number;
  free: bigint;
  reserved: bigint;
}

export class SimAccounts {
  readonly #accounts = new Map<string, AccountState>();

  #get(id: string): AccountState {
    let a = this.#accounts.get(id);
    if (!a) {
      a = { nonce: 0, free: INITIAL_FREE, reserved: 0n };
      this.#accounts.set(id, a);
    }
    return a;
  }

  nonce(id: string): number {
    return this.#accounts.get(id)?.nonce ?? 0;
  }

  free(id: string): bigint {
    return this.#accounts.get(id)?.free ?? INITIAL_FREE;
  }

  // An included signed extrinsic: the nonce moves on and the fee is gone, whatever the outcome.
  included(id: string, fee: bigint): void {
    const a = this.#get(id);
    a.nonce++;
    a.free -= fee;
  }

  // Storage deposits are held from the free balance, and given back when storage shrinks.
  deposit(id: string, amount: bigint): void {
    const a = this.#get(id);
    // Nothing is released beyond what this simulation itself holds.
    const moved = amount >= 0n || -amount <= a.reserved ? amount : -a.reserved;
    a.free -= moved;
    a.reserved += moved;
  }

  info(id: string): string {
    const a = this.#accounts.get(id) ?? { nonce: 0, free: INITIAL_FREE, reserved: 0n };
    return registry
      .createType('AccountInfo', {
        nonce: a.nonce,
        consumers: 0,
        providers: 1,
        sufficients: 0,
        data: { free: a.free, reserved: a.reserved },
      })
      .toHex();
  }

  // The value of a storage key at a block, or null when the key is absent.
  read(key: string, block: Block): string | null {
    const k = key.toLowerCase();
    if (k === EVENTS_KEY) return block.events;
    if (k === NUMBER_KEY) return registry.createType('u32', block.number).toHex();
    if (k.startsWith(ACCOUNT_PREFIX) && k.length === ACCOUNT_PREFIX.length + 96) return this.info(`0x${k.slice(-64)}`);
    return null;
  }
}

// What a block reference in the params resolves to, with the storage it shows.
export function readAt(accounts: SimAccounts, blocks: SimBlocks, keys: string[], at: unknown) {
  const block = blocks.at(at);
  if (!block) return null;
  return { block: block.hash, changes: keys.map((k) => [k, accounts.read(k, block)] as [string, string | null]) };
}
