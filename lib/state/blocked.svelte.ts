import { localArea, onLocalChange } from '../browser/local-storage';
import { BLOCKED_KEY, BlockedStore } from '../ext/blocked';

// The blocked callers as a page sees them (kept fresh when another page changes them), for
// the call tab's "Block caller", the popup's contacts and the options page. The background
// notices the change in storage and tells the node (entrypoints/background/index.ts).

class BlockedState {
  list = $state.raw<string[]>([]);
  // Why the last change failed, in words; null when it worked.
  failure = $state<string | null>(null);

  private readonly store = new BlockedStore(localArea());
  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.refresh();
    onLocalChange([BLOCKED_KEY], () => void this.refresh());
  }

  has(nodeId: string): boolean {
    return this.list.includes(nodeId);
  }

  block(nodeId: string): Promise<boolean> {
    return this.change(() => this.store.block(nodeId), 'blocked');
  }

  unblock(nodeId: string): Promise<boolean> {
    return this.change(() => this.store.unblock(nodeId), 'unblocked');
  }

  private async refresh(): Promise<void> {
    try {
      this.list = await this.store.list();
    } catch (err) {
      console.warn('Copybara: reading the blocked callers failed', err);
    }
  }

  private async change(step: () => Promise<void>, what: string): Promise<boolean> {
    this.failure = null;
    try {
      await step();
      await this.refresh();
      return true;
    } catch (err) {
      this.failure = `The caller could not be ${what} (${err instanceof Error ? err.message : String(err)}).`;
      return false;
    }
  }
}

export const blockedState = new BlockedState();
