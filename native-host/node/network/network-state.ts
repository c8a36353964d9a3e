import type { EventEmitter } from 'node:events';
import type { NetworkState } from '../../../lib/protocol/native';

// How the node stands on the network, in the three states the popup names: still
// bootstrapping, connected, or cut off. HyperDHT sets `bootstrapped` (and emits 'ready') once
// its bootstrap query has finished, whether or not any bootstrap node answered, so
// `bootstrapped` alone does not mean connected: the routing table says whether anyone did.

export interface NetworkFacts {
  // dht.bootstrapped: the first bootstrap query has finished.
  bootstrapped: boolean;
  // DHT nodes in the routing table (dht.nodes.length): nodes that answered us. None after
  // bootstrapping: no bootstrap node answered (offline, or UDP blocked).
  nodes: number;
  // dht.online, from dht-rpc's NetworkHealth: false once requests have gone unanswered for two
  // ticks in a row. (dht.degraded, many timeouts but some answers, still counts as connected.)
  online: boolean;
  // Relays private mode knows; null when private mode is off.
  relays: number | null;
}

export function networkState(f: NetworkFacts): NetworkState {
  if (!f.bootstrapped) return { kind: 'connecting' };
  if (f.nodes === 0 || !f.online) return { kind: 'offline' };
  return { kind: 'online', relays: f.relays };
}

// For the node's log.
export function describeNetworkState(s: NetworkState): string {
  return s.kind === 'online' && s.relays !== null ? `online (${s.relays} ${s.relays === 1 ? 'relay' : 'relays'} known)` : s.kind;
}

export function sameNetworkState(a: NetworkState, b: NetworkState): boolean {
  if (a.kind !== b.kind) return false;
  return a.kind !== 'online' || b.kind !== 'online' || a.relays === b.relays;
}

// The parts of a HyperDHT (dht-rpc) node the watch reads.
interface WatchedDht extends EventEmitter {
  readonly bootstrapped: boolean;
  readonly online: boolean;
  readonly nodes: { readonly length: number };
  readonly destroyed: boolean;
}

// dht-rpc emits 'ready' when bootstrapping ends, 'network-update' when NetworkHealth changes
// (online, degraded, offline) and on a network change, 'network-change' when the interfaces
// change, 'persistent'/'ephemeral' when the node's role changes.
const DHT_EVENTS = ['ready', 'network-update', 'network-change', 'persistent', 'ephemeral'] as const;

// The routing table fills and empties without an event of its own, and a relay count changes
// when discovery ends: read again this often too.
const NETWORK_POLL_MS = 2_000;

interface NetworkWatchOptions {
  dht: WatchedDht;
  // Private mode's relay count; absent when private mode is off.
  relays?: () => number;
  // Called with each new state (not the first), so the node can tell its browsers.
  onChange(state: NetworkState): void;
  pollMs?: number;
}

export class NetworkWatch {
  private _state: NetworkState;
  private readonly _o: NetworkWatchOptions;
  private readonly _update = () => this.update();
  private readonly _timer: NodeJS.Timeout;

  constructor(o: NetworkWatchOptions) {
    this._o = o;
    this._state = networkState(this._facts());
    for (const e of DHT_EVENTS) o.dht.on(e, this._update);
    this._timer = setInterval(this._update, o.pollMs ?? NETWORK_POLL_MS);
    this._timer.unref();
  }

  get state(): NetworkState {
    return this._state;
  }

  // Reads the facts again; tells onChange if the state is not what it was.
  update(): void {
    if (this._o.dht.destroyed) return;
    const next = networkState(this._facts());
    if (sameNetworkState(next, this._state)) return;
    this._state = next;
    this._o.onChange(next);
  }

  close(): void {
    clearInterval(this._timer);
    for (const e of DHT_EVENTS) this._o.dht.off(e, this._update);
  }

  private _facts(): NetworkFacts {
    const { dht, relays } = this._o;
    return { bootstrapped: dht.bootstrapped, nodes: dht.nodes.length, online: dht.online, relays: relays ? relays() : null };
  }
}
