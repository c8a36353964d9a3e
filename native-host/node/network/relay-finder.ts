import DHT from 'hyperdht';
import { RELAY_TOPIC } from './relay-server';
import { type RelayEntry, chooseRelay, mergeFound, pinnedEntries, recordFailure, recordSuccess } from './relays';

// The DHT side of relay selection: which relays announce the topic, and how fast each answers.

// Enough candidates to survive a few being down; probing each costs a handshake.
const MAX_PROBED = 8;
const PROBE_TIMEOUT_MS = 5000;

// Keys announcing RELAY_TOPIC, as hex, at most `limit`, in the order the lookup met them.
export async function lookupRelays(dht: DHT, limit = MAX_PROBED, signal?: AbortSignal): Promise<string[]> {
  const keys: string[] = [];
  const query = dht.lookup(RELAY_TOPIC);
  const onabort = () => query.destroy();
  signal?.addEventListener('abort', onabort, { once: true });
  try {
    for await (const reply of query) {
      for (const peer of reply.peers) {
        const key = peer.publicKey.toString('hex');
        if (!keys.includes(key)) keys.push(key);
      }
      if (keys.length >= limit) break;
    }
  } catch {
    // A lookup cut short (abort, destroyed node) still yields what it met.
  } finally {
    signal?.removeEventListener('abort', onabort);
  }
  return keys.slice(0, limit);
}

// How long the relay takes to complete a handshake, or null when it does not within the time
// limit. The probe uses the DHT node's throwaway key pair, not the node's identity, so relays
// probed learn nothing about who probes them.
export function probeRelay(dht: DHT, key: string, timeoutMs = PROBE_TIMEOUT_MS, now: () => number = Date.now): Promise<number | null> {
  const started = now();
  const stream = dht.connect(Buffer.from(key, 'hex'));
  return new Promise((resolve) => {
    const done = (ms: number | null) => {
      clearTimeout(timer);
      stream.destroy();
      resolve(ms);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    stream.once('open', () => done(now() - started));
    stream.once('error', () => done(null));
  });
}

// What private mode asks for each connection: the best relay now. Holds the relays known and
// their history; HyperDHT calls pick() per connection (the backend's relayThrough function).
export class RelayChooser {
  private _entries: RelayEntry[];
  private _last: string | null = null;

  constructor(
    pinned: readonly Buffer[],
    private readonly _now: () => number = Date.now,
  ) {
    this._entries = pinnedEntries(pinned.map((k) => k.toString('hex')));
  }

  get entries(): readonly RelayEntry[] {
    return this._entries;
  }

  pick(): Buffer | null {
    this._last = chooseRelay(this._entries, this._now());
    return this._last === null ? null : Buffer.from(this._last, 'hex');
  }

  // The relay picked last failed (or worked): it moves down (or back up) the ranking.
  lastFailed(): void {
    if (this._last !== null) this._entries = recordFailure(this._entries, this._last, this._now());
  }

  lastWorked(): void {
    if (this._last !== null) this._entries = recordSuccess(this._entries, this._last);
  }

  // Looks the topic up and probes what it finds, all at once; the fastest answering rank first.
  async discover(dht: DHT, signal?: AbortSignal): Promise<number> {
    const keys = await lookupRelays(dht, MAX_PROBED, signal);
    const times = await Promise.all(keys.map((k) => probeRelay(dht, k)));
    const found = new Map<string, number | null>();
    keys.forEach((k, i) => {
      if (times[i] !== null) found.set(k, times[i]!);
    });
    this._entries = mergeFound(this._entries, found);
    return found.size;
  }
}
