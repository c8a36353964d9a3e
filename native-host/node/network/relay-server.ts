import { createHash } from 'node:crypto';
import { Server as BlindRelay } from 'blind-relay';
import DHT, { type KeyPair, type NoiseSecretStream, type Server } from 'hyperdht';
import { type HostPort, isLoopbackHost } from '../../common/bootstrap';
import { enlargeSocketBuffers } from './hyperdht';
import type { Log } from '../../common/log';
import { type CutReason, RelayMeter } from './relay-meter';
import { RELAY_PAIR_RATE_FLOOR } from './relay-rates';

// Where relays announce themselves, so nodes can find them without being told a key. Versioned:
// a relay speaking another protocol later announces under another topic, never confusing old nodes.
export const RELAY_TOPIC = createHash('sha256').update('copybara/relay/v1').digest();

// DHT records expire after about 20 minutes; announcing again well before keeps the relay findable.
const REANNOUNCE_MS = 10 * 60_000;

export interface RelayLimits {
  // Pairs (two streams joined) carried at once; a request for a pair over the limit is dropped.
  maxPairs: number;
  // Bytes per second one pair may carry in each direction, and all pairs together. A pair that
  // keeps exceeding either is cut (relay-meter.ts says why cut and not slowed). A per-pair rate
  // under RELAY_PAIR_RATE_FLOOR breaks what nodes count on (relay-rates.ts).
  maxPairRate: number;
  maxTotalRate: number;
}

// A relay forwards whole calls; a few dozen is what a home uplink carries without hurting its
// owner. A video call needs a few hundred kB/s; the floor every relay carries (2 MB/s each way a
// pair) leaves it ample room, and a site's download is paced below it.
export const DEFAULT_RELAY_LIMITS: RelayLimits = { maxPairs: 32, maxPairRate: RELAY_PAIR_RATE_FLOOR, maxTotalRate: 50_000_000 };

// How often the relay reads its pairs' byte counts, and how often (at most) it logs its counts.
const METER_MS = 250;
const STATS_LOG_MS = 60_000;

export interface RelayOptions {
  keyPair: KeyPair;
  // null: HyperDHT's public bootstrap nodes.
  bootstrap: HostPort[] | null;
  log: Log;
  limits?: Partial<RelayLimits>;
  // Off in tests that want a relay nobody finds by the topic.
  announce?: boolean;
}

export interface RelayCounts {
  sessions: number;
  pairs: number;
  refused: number;
  // Pairs cut for going over a rate.
  cut: number;
  // Bytes relayed, all pairs together, as of the last reading.
  bytes: number;
}

export interface RunningRelay {
  publicKey: Buffer;
  // The UDP port its DHT node listens on: the address relayed peers see.
  port: number;
  counts(): RelayCounts;
  close(): Promise<void>;
}

// A blind relay: a HyperDHT server whose connections speak blind-relay over Protomux. Two peers
// that each present the same random token are joined; the relay forwards their packets, which
// stay end-to-end encrypted between them, so it learns their addresses and keys but no content.
// It logs counts only: which keys it paired is exactly what it must not keep.
export async function startRelay(opts: RelayOptions): Promise<RunningRelay> {
  const limits = { ...DEFAULT_RELAY_LIMITS, ...opts.limits };
  const local = opts.bootstrap !== null && opts.bootstrap.every((b) => isLoopbackHost(b.host));
  // Reachable directly is the point of a relay, so its DHT node says so from the start: left to
  // HyperDHT's own check, a fresh node on a public address stays "firewalled" for minutes (in
  // the network-namespace NAT lab it never stopped), and every private-mode connection through
  // it then fails with HOLEPUNCH_ABORTED. On loopback (tests) it binds 127.0.0.1 as the node does.
  const dht = new DHT({
    ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
    ...(local ? { host: '127.0.0.1' } : {}),
    firewalled: false,
  });
  const relay = new BlindRelay({
    // framed: blind-relay forwards whole UDX packets, as the peers' own streams framed them.
    createStream: (o) => dht.createRawStream({ ...o, framed: true }),
  });
  // Tokens of the pairs carried now, kept only while the pair lives and never logged, with the
  // relay's raw streams of each (one per end).
  const carried = new Map<string, RawStream[]>();
  const meter = new RelayMeter(limits);
  let refused = 0;
  let cut = 0;
  // blind-relay has no hook to refuse a pair, and cutting a pair's streams once it has formed
  // does not stop udx relaying packets already routed. So the pair request itself is dropped:
  // the first end of a new pair is let through only while fewer than maxPairs are carried or
  // waiting; the second end of a waiting pair always is, since its pair is counted already. The
  // dropped peer never hears back and its connect fails on HyperDHT's own time limit. This
  // reaches into blind-relay 1.6.1's session (its `_pair` message and the server's `_pairing`
  // map); the version is pinned exactly for that.
  const internals = relay as unknown as { _pairing: Map<string, unknown> };
  const admit = (token: Buffer): boolean => {
    const key = token.toString('hex');
    if (carried.has(key) || internals._pairing.has(key)) return true;
    if (carried.size + internals._pairing.size < limits.maxPairs) return true;
    refused++;
    opts.log(`relay full: refused a pair request (${carried.size} of ${limits.maxPairs} carried, ${refused} requests refused in all)`);
    return false;
  };
  const onPair = (_isInitiator: boolean, token: Buffer, stream: RawStream) => {
    const key = token.toString('hex');
    // Each pair is reported once per end.
    const streams = carried.get(key);
    if (streams) streams.push(stream);
    else {
      carried.set(key, [stream]);
      meter.add(key);
      opts.log(`relay: pair joined (${carried.size} carried)`);
    }
    stream.once('close', () => {
      if (!carried.has(key)) return;
      // The bytes of its last moments count too.
      sample();
      if (!carried.delete(key)) return;
      meter.remove(key);
      opts.log(`relay: pair ended (${carried.size} carried, ${megabytes(meter.bytes)} relayed in all)`);
    });
  };

  // Reads the byte count of each end of every pair (udx counts a relayed packet before
  // forwarding it): what one end sent is one direction of the pair. Cuts the pairs over budget.
  const sample = () => {
    const counts = new Map<string, number[]>();
    for (const [key, streams] of carried)
      counts.set(
        key,
        streams.map((s) => s.bytesReceived ?? 0),
      );
    for (const { pair, reason } of meter.sample(counts)) cutPair(pair, reason);
  };
  const cutPair = (key: string, reason: CutReason) => {
    const streams = carried.get(key);
    if (!streams) return;
    carried.delete(key);
    cut++;
    const limit =
      reason === 'pair-rate' ? `its ${megabytes(limits.maxPairRate)}/s each way` : `the relay's ${megabytes(limits.maxTotalRate)}/s in all`;
    opts.log(`relay: cut a pair over ${limit} (${carried.size} carried, ${cut} cut in all)`);
    for (const s of streams) s.destroy();
  };
  const meterTimer = setInterval(sample, METER_MS);
  meterTimer.unref();
  // Counts only, and only when something changed since the last line.
  let lastStats = '';
  const statsTimer = setInterval(() => {
    const line = `relay: ${carried.size} pairs open, ${refused} refused, ${cut} cut, ${megabytes(meter.bytes)} relayed`;
    if (line !== lastStats) opts.log(line);
    lastStats = line;
  }, STATS_LOG_MS);
  statsTimer.unref();

  const server: Server = dht.createServer((socket: NoiseSecretStream) => {
    const session = relay.accept(socket, { id: socket.remotePublicKey });
    const pairMessage = (session as unknown as { _pair: { onmessage: (m: { token: Buffer }, ctx: unknown) => unknown } })._pair;
    const handle = pairMessage.onmessage;
    pairMessage.onmessage = (m, ctx) => (admit(m.token) ? handle(m, ctx) : undefined);
    session.on('pair', onPair);
    // A peer that vanishes mid-pairing is routine for a relay; it is counted, not reported.
    session.on('error', () => {});
  });
  await server.listen(opts.keyPair);
  // A relay forwards every packet of the calls it carries through one socket: the same headroom
  // against bursts as a node's.
  enlargeSocketBuffers(dht);

  let announcing = Promise.resolve();
  const announce = () => {
    announcing = dht
      .announce(RELAY_TOPIC, opts.keyPair)
      .finished()
      .catch((err: Error) => opts.log(`relay: announcing failed: ${err.message}`));
  };
  let timer: NodeJS.Timeout | null = null;
  if (opts.announce !== false) {
    announce();
    await announcing;
    timer = setInterval(announce, REANNOUNCE_MS);
    timer.unref();
  }

  let closing: Promise<void> | null = null;
  return {
    publicKey: opts.keyPair.publicKey,
    port: dht.address().port,
    counts: () => ({ sessions: relay.stats.sessions.active, pairs: carried.size, refused, cut, bytes: meter.bytes }),
    close() {
      closing ??= (async () => {
        if (timer) clearInterval(timer);
        clearInterval(meterTimer);
        clearInterval(statsTimer);
        await announcing;
        await relay.close();
        await server.close();
        await dht.destroy();
      })();
      return closing;
    },
  };
}

// The parts of udx-native's UDXStream (the relay's end of a pair) the relay uses.
interface RawStream {
  // Bytes this stream received, relayed ones included; absent in a udx-native without it.
  readonly bytesReceived?: number;
  once(e: 'close', f: () => void): unknown;
  destroy(): void;
}

// Bytes as "12.3 MB" (decimal, as the rate flags are written).
function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
