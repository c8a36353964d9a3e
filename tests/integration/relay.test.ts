import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client as RelayClient, token as relayToken } from 'blind-relay';
import DHT, { type KeyPair } from 'hyperdht';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../native-host/node/network/backend';
import { HyperdhtBackend } from '../../native-host/node/network/hyperdht';
import { RelayChooser } from '../../native-host/node/network/relay-finder';
import { startRelay, type RunningRelay } from '../../native-host/node/network/relay-server';
import { formatBootstrap } from '../../native-host/common/bootstrap';
import { decodeNodeId } from '../../lib/node-id';
import { type Proc, cli, tempDir, waitForLine } from '../../testkit/processes';
import type { StreamLink } from '../../native-host/node/network/stream-link';
import { privateMode } from '../../testkit/network/private-backend';

// Private mode on a loopback testnet: two HyperDHT backends pointed at a blind relay reach each
// other only through it, and the relay holds to its pair limit.

let testnet: Testnet;
let relay: RunningRelay;
let relayPort: number;
const logs: string[] = [];
const backends: HyperdhtBackend[] = [];

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function backend(keyPair: KeyPair, relayThrough: Buffer | null): HyperdhtBackend {
  const b = new HyperdhtBackend({
    keyPair,
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(l),
    ...(relayThrough ? { privacy: privateMode([relayThrough]) } : {}),
  });
  backends.push(b);
  return b;
}

async function listening(b: HyperdhtBackend): Promise<PeerLink[]> {
  const links: PeerLink[] = [];
  await b.listen((link) => links.push(link));
  return links;
}

beforeAll(async () => {
  testnet = await createTestnet(3, { host: '127.0.0.1' });
  relay = await startRelay({
    keyPair: DHT.keyPair(),
    bootstrap: testnet.bootstrap,
    log: (l) => logs.push(l),
    limits: { maxPairs: 1 },
    announce: false,
  });
  relayPort = relay.port;
});

afterAll(async () => {
  await Promise.all(backends.map((b) => b.close()));
  await relay?.close();
  await testnet?.destroy();
});

describe('private mode through a blind relay', () => {
  it('carries signalling and datagrams, and each side sees only the relay', async () => {
    const bobKeys = DHT.keyPair();
    const alice = backend(DHT.keyPair(), relay.publicKey);
    const bob = backend(bobKeys, relay.publicKey);
    const bobLinks = await listening(bob);
    await listening(alice);
    const link = (await alice.connect(bobKeys.publicKey, AbortSignal.timeout(20_000))) as StreamLink;
    await waitFor(() => bobLinks.length === 1, 10_000, 'bob sees the connection');
    const theirs = bobLinks[0] as StreamLink;

    expect(link.remoteAddress).toEqual({ host: '127.0.0.1', port: relayPort });
    expect(theirs.remoteAddress).toEqual({ host: '127.0.0.1', port: relayPort });
    expect(relay.counts().pairs).toBe(1);

    const got: unknown[] = [];
    theirs.on('message', (m) => got.push(m));
    link.send({ type: 'ping', seq: 1 });
    await waitFor(() => got.length === 1, 5000, 'bob gets the ping');
    const datagrams: Buffer[] = [];
    link.on('datagram', (d) => datagrams.push(d));
    // Datagrams are unreliable even on loopback: send until one arrives.
    await waitFor(
      () => {
        if (datagrams.length === 0) theirs.sendDatagram(Buffer.from('media'));
        return datagrams.length > 0;
      },
      5000,
      'alice gets a datagram',
    );
    expect(datagrams[0]!.toString()).toBe('media');
  });

  it('refuses a pair over --max-pairs while the first one lasts', async () => {
    // The relay of this file carries one pair, and the test before holds it open.
    expect(relay.counts().pairs).toBe(1);
    const daveKeys = DHT.keyPair();
    const carol = backend(DHT.keyPair(), relay.publicKey);
    const dave = backend(daveKeys, relay.publicKey);
    const daveLinks = await listening(dave);
    await listening(carol);
    await expect(carol.connect(daveKeys.publicKey, AbortSignal.timeout(25_000))).rejects.toThrow();
    expect(daveLinks).toHaveLength(0);
    // Both ends asked for the new pair and neither found the other waiting: two requests dropped.
    expect(relay.counts().refused).toBe(2);
    expect(logs.some((l) => l.includes('relay full: refused a pair'))).toBe(true);
  });

  it('leaves the path direct outside private mode: each side sees the other', async () => {
    const bobKeys = DHT.keyPair();
    const alice = backend(DHT.keyPair(), null);
    const bob = backend(bobKeys, null);
    const bobLinks = await listening(bob);
    await listening(alice);
    const link = (await alice.connect(bobKeys.publicKey, AbortSignal.timeout(20_000))) as StreamLink;
    await waitFor(() => bobLinks.length === 1, 10_000, 'bob sees the connection');
    expect(link.remoteAddress).toEqual({ host: '127.0.0.1', port: bob.port });
    expect((bobLinks[0] as StreamLink).remoteAddress).toEqual({ host: '127.0.0.1', port: alice.port });
  });
});

describe('copybara-host relay', () => {
  let proc: Proc;
  let dir: { path: string; remove(): Promise<void> };
  let relayKey: Buffer;

  beforeAll(async () => {
    dir = await tempDir('relay');
    proc = cli(
      [
        'relay',
        '--profile',
        dir.path,
        '--bootstrap',
        formatBootstrap(testnet.bootstrap),
        '--max-pairs',
        '4',
        '--max-pair-rate',
        '4MB',
        '--max-total-rate',
        '40MB',
      ],
      { name: 'relay' },
    );
    const line = await waitForLine(proc, /^relay key: /, 20_000, 'the relay prints its key');
    relayKey = Buffer.from(decodeNodeId(line.slice('relay key: '.length)));
  });

  afterAll(async () => {
    await proc?.stop();
    await dir?.remove();
  });

  it('keeps its key in relay-identity.json, apart from the node identity', async () => {
    const saved = JSON.parse(await readFile(join(dir.path, 'relay-identity.json'), 'utf8')) as { publicKey: string };
    expect(saved.publicKey).toBe(relayKey.toString('hex'));
  });

  it('relays two private-mode nodes, which see the same address, neither of them the other', async () => {
    const bobKeys = DHT.keyPair();
    const alice = backend(DHT.keyPair(), relayKey);
    const bob = backend(bobKeys, relayKey);
    const bobLinks = await listening(bob);
    await listening(alice);
    const link = (await alice.connect(bobKeys.publicKey, AbortSignal.timeout(20_000))) as StreamLink;
    await waitFor(() => bobLinks.length === 1, 10_000, 'bob sees the connection');
    const seenByAlice = link.remoteAddress;
    const seenByBob = (bobLinks[0] as StreamLink).remoteAddress;
    expect(seenByAlice).not.toBeNull();
    expect(seenByAlice).toEqual(seenByBob);
    expect(seenByAlice!.port).not.toBe(bob.port);
    expect(seenByAlice!.port).not.toBe(alice.port);
    const got: unknown[] = [];
    link.on('message', (m) => got.push(m));
    (bobLinks[0] as StreamLink).send({ type: 'ping', seq: 7 });
    await waitFor(() => got.length === 1, 5000, 'alice gets the ping');
    expect(got[0]).toEqual({ type: 'ping', seq: 7 });
  });

  it('is found by the relay topic and probed by a private-mode node', async () => {
    const carol = backend(DHT.keyPair(), relayKey);
    await listening(carol);
    const chooser = new RelayChooser([]);
    expect(chooser.pick()).toBeNull();
    const found = await carol.discoverRelays(chooser, AbortSignal.timeout(20_000));
    expect(found).toBeGreaterThanOrEqual(1);
    const entry = chooser.entries.find((e) => e.key === relayKey.toString('hex'));
    expect(entry).toMatchObject({ pinned: false, failures: 0 });
    expect(entry!.rttMs).toBeGreaterThanOrEqual(0);
    // The in-process relay of the other tests does not announce; this one does.
    expect(chooser.entries.some((e) => e.key === relay.publicKey.toString('hex'))).toBe(false);
  });
});

describe('blind-relay pairing', () => {
  it('joins only two requests that present the same token', async () => {
    const own = await startRelay({ keyPair: DHT.keyPair(), bootstrap: testnet.bootstrap, log: () => {}, announce: false });
    const nodes: DHT[] = [];
    // A peer of the relay with one pair request: `paired` fills when the relay joins it.
    const client = async (): Promise<{ dht: DHT; relay: RelayClient; paired: boolean[]; ask(token: Buffer, initiator: boolean): void }> => {
      const dht = new DHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' });
      nodes.push(dht);
      const stream = dht.connect(own.publicKey);
      await new Promise((resolve, reject) => stream.once('open', resolve).once('error', reject));
      // The channel id is the peer's own key, as HyperDHT opens it.
      const relay = new RelayClient(stream, { id: stream.publicKey });
      relay.on('error', () => {});
      const paired: boolean[] = [];
      // A request is a readable stream: it is sent when read, and yields once when paired.
      const ask = (token: Buffer, initiator: boolean) =>
        relay
          .pair(initiator, token, dht.createRawStream())
          .on('data', () => paired.push(true))
          .on('error', () => {});
      return { dht, relay, paired, ask };
    };
    try {
      const [a, b, c] = await Promise.all([client(), client(), client()]);
      const tokenA = relayToken();
      a.ask(tokenA, true);
      b.ask(relayToken(), false);
      await new Promise((r) => setTimeout(r, 1000));
      expect(a.paired).toHaveLength(0);
      expect(b.paired).toHaveLength(0);
      expect(own.counts().pairs).toBe(0);
      // The control: the same token from the other side is joined at once.
      c.ask(tokenA, false);
      await waitFor(() => a.paired.length === 1 && c.paired.length === 1, 5000, 'a and c paired');
      expect(b.paired).toHaveLength(0);
      expect(own.counts().pairs).toBe(1);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy({ force: true })));
      await own.close();
    }
  });
});

// Raw UDX streams paired through a relay, the way HyperDHT pairs them in private mode, without
// the encryption on top: the tests see exactly the bytes the relay carries.
interface RawStream {
  id: number;
  bytesReceived: number;
  destroyed: boolean;
  write(data: Uint8Array): boolean;
  connect(socket: unknown, remoteId: number, port: number, host: string): void;
  on(event: string, listener: (...args: never[]) => void): RawStream;
  once(event: string, listener: (...args: never[]) => void): RawStream;
  destroy(): void;
}

async function rawClients(relayKey: Buffer, count: number, nodes: DHT[]) {
  const one = async () => {
    const dht = new DHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1' });
    nodes.push(dht);
    const socket = dht.connect(relayKey);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const client = new RelayClient(socket, { id: socket.publicKey });
    client.on('error', () => {});
    const via = socket.rawStream as unknown as { socket: unknown; remotePort: number; remoteHost: string };
    // Asks the relay to pair a fresh raw stream under `token`; once paired, the stream is
    // connected to the relay's end of the pair, and `paired` resolves with it.
    const ask = (token: Buffer, initiator: boolean) => {
      const raw = dht.createRawStream() as unknown as RawStream;
      raw.on('error', () => {});
      const paired = new Promise<RawStream>((resolve) => {
        client
          .pair(initiator, token, raw as never)
          .on('data', (remoteId: number) => {
            raw.connect(via.socket, remoteId, via.remotePort, via.remoteHost);
            resolve(raw);
          })
          .on('error', () => {});
      });
      return { raw, paired };
    };
    return { dht, ask };
  };
  return Promise.all(Array.from({ length: count }, one));
}

// Writes to `raw` at about `bytesPerSecond` (catching up after a late timer) for `ms`.
async function sendAt(raw: RawStream, bytesPerSecond: number, ms: number): Promise<number> {
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < ms && !raw.destroyed) {
    const owed = Math.floor(((Date.now() - started) / 1000) * bytesPerSecond) - sent;
    if (owed > 0) {
      raw.write(Buffer.alloc(owed, 1));
      sent += owed;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return sent;
}

describe('relay limits', () => {
  it('never pairs requests whose tokens differ, nor two that present one token from the same side', async () => {
    const own = await startRelay({ keyPair: DHT.keyPair(), bootstrap: testnet.bootstrap, log: () => {}, announce: false });
    const nodes: DHT[] = [];
    try {
      const [a, b, c, d] = await rawClients(own.publicKey, 4, nodes);
      const token = relayToken();
      const asks = [a!.ask(token, true), b!.ask(relayToken(), false), c!.ask(token, true), d!.ask(Buffer.from(token).fill(0, 0, 1), false)];
      const settled: number[] = [];
      asks.forEach((x, i) => void x.paired.then(() => settled.push(i)));
      await new Promise((r) => setTimeout(r, 1500));
      // Same token twice as the initiator, a different token, a token one byte off: none joined.
      expect(settled).toEqual([]);
      expect(own.counts().pairs).toBe(0);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy({ force: true })));
      await own.close();
    }
  });

  it('refuses pair requests over --max-pairs and counts them, without logging a key', async () => {
    const relayLogs: string[] = [];
    const own = await startRelay({
      keyPair: DHT.keyPair(),
      bootstrap: testnet.bootstrap,
      log: (l) => relayLogs.push(l),
      limits: { maxPairs: 2 },
      announce: false,
    });
    const nodes: DHT[] = [];
    try {
      const clients = await rawClients(own.publicKey, 2, nodes);
      const tokens = [relayToken(), relayToken(), relayToken()];
      const pairs = tokens.map((t) => [clients[0]!.ask(t, true), clients[1]!.ask(t, false)]);
      await Promise.all([...pairs[0]!, ...pairs[1]!].map((x) => x.paired));
      await new Promise((r) => setTimeout(r, 1000));
      expect(own.counts()).toMatchObject({ pairs: 2, refused: 2 });
      const joined: boolean[] = [];
      for (const x of pairs[2]!) void x.paired.then(() => joined.push(true));
      await new Promise((r) => setTimeout(r, 500));
      expect(joined).toEqual([]);
      expect(relayLogs.some((l) => l.includes('refused a pair request'))).toBe(true);
      // Counts only: no key, no token, not even part of one, in any form.
      const secrets = [own.publicKey, ...tokens].flatMap((k) => [k.toString('hex').slice(0, 12), k.toString('base64').slice(0, 12)]);
      expect(relayLogs.filter((l) => /[0-9a-f]{16}/i.test(l) || secrets.some((x) => l.includes(x)))).toEqual([]);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy({ force: true })));
      await own.close();
    }
  });

  it('limits a pair that goes over its rate; a pair within it carries on', async () => {
    const RATE = 100_000;
    const relayLogs: string[] = [];
    const own = await startRelay({
      keyPair: DHT.keyPair(),
      bootstrap: testnet.bootstrap,
      log: (l) => relayLogs.push(l),
      limits: { maxPairRate: RATE, maxTotalRate: 10 * RATE },
      announce: false,
    });
    const nodes: DHT[] = [];
    try {
      const [a, b] = await rawClients(own.publicKey, 2, nodes);
      const fast = relayToken();
      const slow = relayToken();
      const [fastA, fastB, slowA, slowB] = await Promise.all(
        [a!.ask(fast, true), b!.ask(fast, false), a!.ask(slow, true), b!.ask(slow, false)].map((x) => x.paired),
      );
      let fastGot = 0;
      let slowGot = 0;
      fastB!.on('data', (d: Buffer) => (fastGot += d.length));
      slowB!.on('data', (d: Buffer) => (slowGot += d.length));
      // The relay learns where each end is from the first packet that end sends: the receiving
      // ends say a word first, so the relay can forward to them (the senders retransmit anyway).
      for (const r of [fastB!, slowB!]) r.write(Buffer.from('hi'));
      const SECONDS = 4;
      // Five times its rate on one pair, half of it on the other.
      const [fastSent, slowSent] = await Promise.all([sendAt(fastA!, 5 * RATE, SECONDS * 1000), sendAt(slowA!, RATE / 2, SECONDS * 1000)]);
      await new Promise((r) => setTimeout(r, 500));

      // What a pair may carry in the time: its rate, plus its burst (2 s of it), plus what one
      // reading of the counters lets through; a generous half again on top for a loaded machine.
      const allowed = (RATE * SECONDS + 2 * RATE + 0.25 * 5 * RATE) * 1.5;
      expect(fastSent).toBeGreaterThan(1.5 * allowed);
      expect(fastGot).toBeLessThan(allowed);
      expect(fastGot).toBeGreaterThan(RATE / 2);
      expect(own.counts().cut).toBe(1);
      expect(relayLogs.some((l) => /relay: cut a pair over its 0\.1 MB\/s/.test(l))).toBe(true);
      // The pair within its rate got all of it and is still carried.
      expect(slowGot).toBe(slowSent);
      expect(own.counts().pairs).toBe(1);
      expect(own.counts().bytes).toBeGreaterThanOrEqual(fastGot + slowGot);
    } finally {
      await Promise.all(nodes.map((n) => n.destroy({ force: true })));
      await own.close();
    }
  });
});
