import type { Block, EventRecordSpec, SimBlocks } from './blocks';
import { applyExtrinsic, type CheckedTx, type ContractRunner, type RpcError, timestampInherent } from './extrinsics';
import type { SimAccounts } from './storage';

// SIMULATED transaction pool and block author. A valid transaction is `ready` at once if its
// nonce is the account's next one, else `future` until the gap closes, as in substrate's pool.
// Ready transactions go into the next block, produced a few ms later (instant seal, like
// substrate-contracts-node), which is finalized a few ms after that.

// Defaults, far below Aleph Zero's ~1 s blocks, yet long enough for polkadot.js to fetch a
// block's events before the next status replaces the one it is handling (it switchMaps).
export const BLOCK_DELAY_MS = 50;
export const FINALITY_DELAY_MS = 250;

// What author_extrinsicUpdate carries: "ready", "future", { inBlock: hash }, { finalized: hash }.
export type TxStatus = string | Record<string, string>;
export type Watcher = (status: TxStatus) => void;

interface Entry {
  tx: CheckedTx;
  watch?: Watcher;
}

export interface PoolHooks {
  run: ContractRunner;
  now: () => number;
  later: (fn: () => void, ms: number) => void; // timers the node cancels when it goes down
  onBlock: (block: Block) => void;
  onFinalized: (block: Block) => void;
  blockDelayMs?: number;
  finalityDelayMs?: number;
}

export class TxPool {
  #ready: Entry[] = [];
  #future: Entry[] = [];
  #scheduled = false;
  included = 0; // signed extrinsics put into blocks so far

  constructor(
    private readonly blocks: SimBlocks,
    private readonly accounts: SimAccounts,
    private readonly hooks: PoolHooks,
  ) {}

  // The node went down and its timers with it: what was pending is lost, as on a restart.
  abandon(): void {
    this.#ready = [];
    this.#future = [];
    this.#scheduled = false;
  }

  // The nonce a new transaction of this account should carry: state plus the ready queue.
  nextIndex(signer: string): number {
    let n = this.accounts.nonce(signer);
    while (this.#ready.some((e) => e.tx.signer === signer && e.tx.nonce === n)) n++;
    return n;
  }

  submit(tx: CheckedTx, watch?: Watcher): RpcError | null {
    const pooled = [...this.#ready, ...this.#future];
    if (pooled.some((e) => e.tx.hash === tx.hash)) return { code: 1013, message: 'Transaction Already Imported' };
    if (pooled.some((e) => e.tx.signer === tx.signer && e.tx.nonce === tx.nonce)) {
      return {
        code: 1014,
        message: 'Priority is too low: (0 vs 0)',
        data: 'The transaction has too low priority to replace another transaction already in the pool.',
      };
    }
    const entry = { tx, watch };
    if (tx.nonce === this.nextIndex(tx.signer)) this.#makeReady(entry);
    else {
      this.#future.push(entry);
      this.#notify(entry, 'future');
    }
    return null;
  }

  #makeReady(entry: Entry): void {
    this.#ready.push(entry);
    this.#notify(entry, 'ready');
    if (this.#scheduled) return;
    this.#scheduled = true;
    this.hooks.later(() => this.#author(), this.hooks.blockDelayMs ?? BLOCK_DELAY_MS);
  }

  #notify(entry: Entry, status: TxStatus): void {
    if (entry.watch) this.hooks.later(() => entry.watch?.(status), 0);
  }

  #author(): void {
    this.#scheduled = false;
    const entries = this.#ready;
    this.#ready = [];
    const inherent = timestampInherent(this.hooks.now());
    const events: EventRecordSpec[] = inherent.events.map((event) => ({ extrinsic: 0, event }));
    entries.forEach((e, i) => {
      for (const event of applyExtrinsic(e.tx, this.accounts, this.hooks.run)) events.push({ extrinsic: i + 1, event });
    });
    this.included += entries.length;
    const block = this.blocks.append([inherent.hex, ...entries.map((e) => e.tx.hex)], events, `${this.included}`);
    this.hooks.onBlock(block);
    for (const e of entries) this.#notify(e, { inBlock: block.hash });
    this.hooks.later(() => {
      this.blocks.finalize(block);
      this.hooks.onFinalized(block);
      for (const e of entries) this.#notify(e, { finalized: block.hash });
    }, this.hooks.finalityDelayMs ?? FINALITY_DELAY_MS);
    this.#promote();
  }

  // Future transactions whose nonce has come up move to the ready queue; stale ones are dropped.
  #promote(): void {
    let moved = true;
    while (moved) {
      moved = false;
      for (const e of [...this.#future]) {
        const next = this.nextIndex(e.tx.signer);
        if (e.tx.nonce > next) continue;
        this.#future.splice(this.#future.indexOf(e), 1);
        if (e.tx.nonce === next) {
          this.#makeReady(e);
          moved = true;
        } else this.#notify(e, 'invalid');
      }
    }
  }
}
