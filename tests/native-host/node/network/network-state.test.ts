import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkState } from '../../../../lib/protocol/native';
import { type NetworkFacts, NetworkWatch, networkState, sameNetworkState } from '../../../../native-host/node/network/network-state';

const facts = (over: Partial<NetworkFacts> = {}): NetworkFacts => ({ bootstrapped: true, nodes: 5, online: true, relays: null, ...over });

describe('networkState', () => {
  it('connecting until the bootstrap query has finished, whatever else is known', () => {
    expect(networkState(facts({ bootstrapped: false }))).toEqual({ kind: 'connecting' });
    expect(networkState(facts({ bootstrapped: false, nodes: 0, online: false, relays: 3 }))).toEqual({ kind: 'connecting' });
  });

  it('offline when bootstrapped with nobody in the routing table: no bootstrap node answered', () => {
    expect(networkState(facts({ nodes: 0 }))).toEqual({ kind: 'offline' });
    expect(networkState(facts({ nodes: 0, relays: 2 }))).toEqual({ kind: 'offline' });
  });

  it("offline when the DHT's health says so, even with nodes still in the table", () => {
    expect(networkState(facts({ online: false }))).toEqual({ kind: 'offline' });
  });

  it('online with the relay count in private mode, null without it', () => {
    expect(networkState(facts())).toEqual({ kind: 'online', relays: null });
    expect(networkState(facts({ relays: 0 }))).toEqual({ kind: 'online', relays: 0 });
    expect(networkState(facts({ relays: 2, nodes: 1 }))).toEqual({ kind: 'online', relays: 2 });
  });

  it('sameNetworkState compares the kind and, online, the relay count', () => {
    const states: NetworkState[] = [
      { kind: 'connecting' },
      { kind: 'offline' },
      { kind: 'online', relays: null },
      { kind: 'online', relays: 1 },
    ];
    for (const a of states) for (const b of states) expect(sameNetworkState(a, b)).toBe(a === b);
    expect(sameNetworkState({ kind: 'online', relays: 1 }, { kind: 'online', relays: 1 })).toBe(true);
  });
});

class FakeDht extends EventEmitter {
  bootstrapped = false;
  online = true;
  destroyed = false;
  nodes = { length: 0 };
}

describe('NetworkWatch', () => {
  let dht: FakeDht;
  let changes: NetworkState[];
  let relays: number;
  let watch: NetworkWatch | null;

  beforeEach(() => {
    vi.useFakeTimers();
    dht = new FakeDht();
    changes = [];
    relays = 0;
    watch = null;
  });
  afterEach(() => {
    watch?.close();
    vi.useRealTimers();
  });

  const start = (privateMode = false) => {
    watch = new NetworkWatch({
      dht,
      ...(privateMode ? { relays: () => relays } : {}),
      onChange: (s) => changes.push(s),
      pollMs: 1000,
    });
    return watch;
  };

  it('starts from the facts as they are, and tells each change once', () => {
    const w = start();
    expect(w.state).toEqual({ kind: 'connecting' });
    dht.bootstrapped = true;
    dht.nodes.length = 3;
    dht.emit('ready');
    expect(w.state).toEqual({ kind: 'online', relays: null });
    dht.emit('network-update');
    dht.online = false;
    dht.emit('network-update');
    dht.online = true;
    dht.emit('network-change');
    expect(changes).toEqual([{ kind: 'online', relays: null }, { kind: 'offline' }, { kind: 'online', relays: null }]);
  });

  it('a bootstrap nobody answered reads as offline', () => {
    const w = start();
    dht.bootstrapped = true;
    dht.emit('ready');
    expect(w.state).toEqual({ kind: 'offline' });
    expect(changes).toEqual([{ kind: 'offline' }]);
  });

  it('notices what changes without an event (the routing table, the relay count) on its poll', () => {
    const w = start(true);
    dht.bootstrapped = true;
    dht.emit('ready');
    expect(w.state).toEqual({ kind: 'offline' });
    dht.nodes.length = 2;
    vi.advanceTimersByTime(1000);
    expect(w.state).toEqual({ kind: 'online', relays: 0 });
    relays = 2;
    vi.advanceTimersByTime(1000);
    expect(changes.at(-1)).toEqual({ kind: 'online', relays: 2 });
    expect(changes).toHaveLength(3);
  });

  it('after close, and on a destroyed DHT, nothing is told', () => {
    const w = start();
    w.close();
    dht.bootstrapped = true;
    dht.nodes.length = 1;
    dht.emit('ready');
    vi.advanceTimersByTime(5000);
    expect(changes).toEqual([]);
    expect(dht.listenerCount('ready')).toBe(0);
    const w2 = start();
    dht.destroyed = true;
    dht.online = false;
    w2.update();
    expect(changes).toEqual([]);
  });
});
