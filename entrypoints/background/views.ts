import type { CallEntry, HostState, PopupView } from '../../lib/ext/messages';
import type { CallInfo, NetworkState, NodeNetworks } from '../../lib/protocol/native';
import type { CallBook } from './call-book';
import type { PageHub } from './pages';

// What our pages are shown: the popup's view (the host, our node id, the live calls) and
// each call page's call with what we know of its peer's name. Built from the call book on
// demand, so a page never sees a copy that went stale.
export class Views {
  // Our node's id, from its last status; null until the node has answered.
  nodeId: string | null = null;
  // Our node's network state, from its last status or `network` event; null while the node
  // is not connected.
  network: NetworkState | null = null;
  // The networks the node runs and why others are down, from its last status.
  networks: NodeNetworks | null = null;
  private viewQueued = false;

  constructor(
    private readonly book: CallBook,
    private readonly pages: PageHub,
    private readonly host: () => HostState,
  ) {}

  entry(call: CallInfo): CallEntry {
    return { call, verification: this.book.verification(call.callId) };
  }

  // Calls held back while their caller's name is checked are not shown: they have not rung.
  view(): PopupView {
    const calls = this.book.live().filter((c) => !this.book.held(c.callId));
    return {
      host: this.host(),
      nodeId: this.nodeId,
      network: this.network,
      ...(this.networks ? { networks: this.networks } : {}),
      calls: calls.map((c) => this.entry(c)),
    };
  }

  pushCall(call: CallInfo): void {
    this.pages.toCall(call.callId, { type: 'call', ...this.entry(call) });
  }

  // Coalesces the updates of one turn of the event loop into one push per popup.
  pushView(): void {
    if (this.viewQueued) return;
    this.viewQueued = true;
    queueMicrotask(() => {
      this.viewQueued = false;
      this.pages.toPopups({ type: 'view', view: this.view() });
    });
  }
}
