import DHT, { type KeyPair } from 'hyperdht';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PeerLink } from '../../native-host/node/network/backend';
import { HyperdhtBackend } from '../../native-host/node/network/hyperdht';
import { startRelay, type RunningRelay } from '../../native-host/node/network/relay-server';
import type { StreamLink } from '../../native-host/node/network/stream-link';

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
    ...(relayThrough ? { relayThrough } : {}),
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
  relay = await startRelay({ keyPair: DHT.keyPair(), bootstrap: testnet.bootstrap, log: (l) => logs.push(l), limits: { maxPairs: 1 } });
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

  it('leaves the default path direct: without relayThrough each side sees the other', async () => {
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
