import DHT from 'hyperdht';
import { RELAY_TOPIC } from './relay-server';
import { type RelayEntry, acceptsOffer, chooseRelay, mergeFound, pinnedEntries, recordFailure, recordSuccess, repin } from './relays';

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
// their history; private mode asks pick() per connection.
export class RelayChooser {
  private _entries: RelayEntry[];
  private _waiters = new Set<() => void>();
  // Pinned where the node was started (`--relay`): they stay pinned whatever settings say.
  private readonly _started: string[];

  constructor(
    pinned: readonly Buffer[],
    private readonly _now: () => number = Date.now,
  ) {
    this._started = pinned.map((k) => k.toString('hex'));
    this._entries = pinnedEntries(this._started);
  }

  // The relays the person pinned in settings, replacing the last such list.
  pin(keys: readonly Buffer[]): void {
    this._entries = repin(this._entries, [...new Set([...this._started, ...keys.map((k) => k.toString('hex'))])]);
    this._wake();
  }

  get entries(): readonly RelayEntry[] {
    return this._entries;
  }

  pick(): Buffer | null {
    const key = chooseRelay(this._entries, this._now());
    return key === null ? null : Buffer.from(key, 'hex');
  }

  // Whether a caller's choice of relay may carry the connection we answer (see relays.ts).
  acceptsOffer(relay: Buffer): boolean {
    return acceptsOffer(this._entries, relay.toString('hex'), this._now());
  }

  // A connection through `relay` failed because of the relay (or worked): it moves down (or back
  // up) the ranking.
  failed(relay: Buffer): void {
    this._entries = recordFailure(this._entries, relay.toString('hex'), this._now());
  }

  worked(relay: Buffer): void {
    this._entries = recordSuccess(this._entries, relay.toString('hex'));
  }

  // Looks the topic up and probes what it finds, all at once; the fastest answering rank first.
  async discover(dht: DHT, signal?: AbortSignal): Promise<number> {
    const keys = await lookupRelays(dht, MAX_PROBED, signal);
    const times = await Promise.all(keys.map((k) => probeRelay(dht, k)));
    const found = new Map<string, number | null>();
    keys.forEach((k, i) => {
      if (times[i] !== null) found.set(k, times[i]!);
    });
    this.found(found);
    return found.size;
  }

  // Relays a lookup found (key as hex → how fast it answered) join the ones known.
  found(relays: ReadonlyMap<string, number | null>): void {
    this._entries = mergeFound(this._entries, relays);
    this._wake();
  }

  private _wake(): void {
    if (this._entries.length > 0) for (const wake of [...this._waiters]) wake();
  }

  // Resolves true once some relay is known (at once if one is), false if `signal` aborts first.
  waitForRelay(signal: AbortSignal): Promise<boolean> {
    if (this._entries.length > 0) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (found: boolean) => {
        this._waiters.delete(wake);
        signal.removeEventListener('abort', onabort);
        resolve(found);
      };
      const wake = () => done(true);
      const onabort = () => done(false);
      this._waiters.add(wake);
      signal.addEventListener('abort', onabort, { once: true });
    });
  }
}

// Relays come and go: looks again soon while none is known (the DHT may still be filling), then
// now and then. Returns a stop function.
export function keepDiscovering(discover: () => Promise<number>, chooser: RelayChooser, log: (line: string) => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let emptyRounds = 0;
  const round = async () => {
    try {
      const found = await discover();
      const n = chooser.entries.length;
      log(`private mode: ${n} ${n === 1 ? 'relay' : 'relays'} known (${found} answered on the relay topic)`);
    } catch (err) {
      log(`private mode: relay lookup failed: ${(err as Error).message}`);
    }
    if (stopped) return;
    // Pinned relays do not count: one may be down or mistyped, and a person who pinned one
    // before the first lookup ended would otherwise wait the long interval for any other.
    emptyRounds = chooser.entries.some((e) => !e.pinned) ? 0 : emptyRounds + 1;
    const wait = emptyRounds > 0 ? Math.min(60_000, 2_000 * 2 ** (emptyRounds - 1)) : REDISCOVER_MS;
    timer = setTimeout(() => void round(), wait);
    timer.unref();
  };
  void round();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}

// Found relays' answer times go stale, and new relays appear.
const REDISCOVER_MS = 10 * 60_000;
