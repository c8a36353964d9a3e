import type { NetworkInfo } from '../../../lib/protocol/native';
import type { Log } from '../../common/log';
import type { Backend, NetworkName, PeerAddress, PeerLink, ServiceConnection } from './backend';
import { MccError } from './mcc-output';
import type { ServiceName } from './service-preamble';
import type { StaexBackend } from './staex';

// The networks a node runs, behind the one Backend the call layer and the site proxy see: the
// embedded HyperDHT network always, and Staex's when mcc-public is there. Incoming links and
// service connections come from both; an outgoing call or site connection takes the network
// chooseNetwork() picks for it.

// How often a Staex network that could not start is tried again (mcc started later, a
// container came up).
const STAEX_RETRY_MS = 30_000;

// Staex only for a peer whose name gave a Staex id, while our Staex backend is up, and when
// the person (for this call, else the node's default) prefers it. Otherwise HyperDHT, which
// every node runs: a preference is never a reason for a call to fail.
export function chooseNetwork(peer: PeerAddress | undefined, prefer: NetworkName, staexUp: boolean): NetworkName {
  const wanted = peer?.network ?? prefer;
  return wanted === 'staex' && staexUp && peer?.staexId ? 'staex' : 'hyperdht';
}

export interface NetworksOptions {
  hyperdht: Backend;
  // null: the node was told not to use Staex.
  staex: StaexBackend | null;
  prefer: NetworkName;
  log: Log;
  staexRetryMs?: number;
  // Staex came up, or failed to: what list() says has changed.
  onChange?: () => void;
}

export class Networks implements Backend {
  readonly name: string;
  private _o: NetworksOptions;
  // Why Staex is not up; null while it is (or before the first try).
  private _staexDown: MccError | Error | null = null;
  private _staexUp = false;
  private _retry: NodeJS.Timeout | null = null;
  private _closed = false;

  constructor(opts: NetworksOptions) {
    this._o = opts;
    this.name = opts.hyperdht.name;
  }

  get port(): number | null {
    return this._o.hyperdht.port;
  }

  get prefer(): NetworkName {
    return this._o.prefer;
  }

  // HyperDHT must come up; Staex may not (mcc absent, stopped, refused), which is shown in
  // `status` and retried. Staex starts in the background: a stuck mcc must not hold up the node.
  async listen(onLink: (link: PeerLink) => void, onService?: (connection: ServiceConnection) => void): Promise<void> {
    await this._o.hyperdht.listen(onLink, onService);
    if (this._o.staex) void this._startStaex(this._o.staex, onLink, onService);
  }

  connect(remoteKey: Buffer, signal: AbortSignal, peer?: PeerAddress): Promise<PeerLink> {
    const network = chooseNetwork(peer, this._o.prefer, this._staexUp);
    return network === 'staex' ? this._o.staex!.connect(remoteKey, signal, peer) : this._o.hyperdht.connect(remoteKey, signal, peer);
  }

  openService(remoteKey: Buffer, service: ServiceName, signal: AbortSignal, peer?: PeerAddress): Promise<ServiceConnection> {
    const network = chooseNetwork(peer, this._o.prefer, this._staexUp);
    return network === 'staex'
      ? this._o.staex!.openService(remoteKey, service, signal, peer)
      : this._o.hyperdht.openService(remoteKey, service, signal, peer);
  }

  linkLost(link: PeerLink): void {
    // Staex has no relays or paths to hold against a link; HyperDHT does.
    if (link.route?.network !== 'staex') this._o.hyperdht.linkLost?.(link);
  }

  // What `status` and the options page show: each network, its id there, or why it is not up.
  list(hyperdhtId: string): NetworkInfo[] {
    const staex = this._o.staex;
    const down = this._staexDown;
    const staexInfo: NetworkInfo = this._staexUp
      ? { name: 'staex', available: true, id: staex!.staexId, address: staex!.address, reason: null, detail: null, fix: null }
      : {
          name: 'staex',
          available: false,
          id: null,
          address: null,
          reason: staex === null ? 'disabled' : down instanceof MccError ? down.kind : down ? 'failed' : 'starting',
          detail: staex === null ? 'Staex is turned off for this node.' : (down?.message ?? 'Asking mcc for this node’s Staex id…'),
          fix: down instanceof MccError ? down.fix : null,
        };
    return [{ name: 'hyperdht', available: true, id: hyperdhtId, address: null, reason: null, detail: null, fix: null }, staexInfo];
  }

  async close(): Promise<void> {
    this._closed = true;
    if (this._retry) clearTimeout(this._retry);
    await Promise.all([this._o.hyperdht.close(), this._o.staex?.close()]);
  }

  private async _startStaex(
    staex: StaexBackend,
    onLink: (link: PeerLink) => void,
    onService: ((connection: ServiceConnection) => void) | undefined,
  ): Promise<void> {
    try {
      await staex.listen(onLink, onService);
      this._staexUp = true;
      this._staexDown = null;
      this._o.log(`staex: node ${staex.staexId} at ${staex.address}:${staex.port}`);
      this._o.onChange?.();
    } catch (err) {
      const first = this._staexDown === null;
      this._staexDown = err instanceof Error ? err : new Error(String(err));
      if (first) {
        const fix = err instanceof MccError && err.fix ? ` ${err.fix}` : '';
        this._o.log(`staex: not available: ${this._staexDown.message}${fix}`);
        this._o.onChange?.();
      }
      if (this._closed) return;
      this._retry = setTimeout(() => void this._startStaex(staex, onLink, onService), this._o.staexRetryMs ?? STAEX_RETRY_MS);
      this._retry.unref();
    }
  }
}
