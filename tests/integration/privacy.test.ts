import DHT, { type KeyPair, type NoiseSecretStream } from 'hyperdht';
import NoiseWrap from 'hyperdht/lib/noise-wrap.js';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../lib/node-id';
import type { PeerLink } from '../../native-host/node/network/backend';
import { HyperdhtBackend, type HyperdhtOptions } from '../../native-host/node/network/hyperdht';
import { type RunningRelay, startRelay } from '../../native-host/node/network/relay-server';
import { privateMode } from '../../testkit/network/private-backend';

// What a node in private mode tells whoever dials its id. A bare HyperDHT client (not Copybara's
// code, and claiming to be reachable directly, which invites a direct connection) dials a node
// and records every handshake payload the node sends back. The same dial to a node outside
// private mode shows the addresses, so the recording is known to see them when they are there.

let testnet: Testnet;
let relay: RunningRelay;
const backends: HyperdhtBackend[] = [];
const clients: DHT[] = [];
const logs: string[] = [];

interface Payload {
  firewall: number;
  addresses4: { host: string; port: number }[] | null;
  relayThrough: { publicKey: Buffer } | null;
}

async function node(
  privacy: HyperdhtOptions['privacy'] | null,
  keys: KeyPair = DHT.keyPair(),
): Promise<{ b: HyperdhtBackend; links: PeerLink[] }> {
  const b = new HyperdhtBackend({ keyPair: keys, bootstrap: testnet.bootstrap, log: (l) => logs.push(l), ...(privacy ? { privacy } : {}) });
  backends.push(b);
  const links: PeerLink[] = [];
  await b.listen((l) => links.push(l));
  return { b, links };
}

// Dials `key` as a stranger would; resolves with what came back, connected or not.
async function strangerDials(
  key: Buffer,
  timeoutMs = 15_000,
  keyPair: KeyPair = DHT.keyPair(),
  // A relay the stranger asks to be answered through.
  relayThrough: Buffer | null = null,
): Promise<{ stream: NoiseSecretStream | null; payloads: Payload[] }> {
  const dht = new DHT({ bootstrap: testnet.bootstrap, host: '127.0.0.1', firewalled: false });
  clients.push(dht);
  const payloads: Payload[] = [];
  const stream = dht.connect(key, {
    keyPair,
    ...(relayThrough ? { relayThrough } : {}),
    createHandshake: (keyPair: KeyPair, remote: Buffer) => {
      const h = new NoiseWrap(keyPair, remote);
      const recv = h.recv.bind(h);
      h.recv = (buf: Buffer) => {
        const p = recv(buf) as Payload | null;
        if (p) payloads.push(p);
        return p;
      };
      return h;
    },
  });
  const opened = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    stream.once('open', () => (clearTimeout(timer), resolve(true)));
    stream.once('error', () => (clearTimeout(timer), resolve(false)));
  });
  if (!opened) stream.destroy();
  return { stream: opened ? stream : null, payloads };
}

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  testnet = await createTestnet(3, { host: '127.0.0.1' });
  relay = await startRelay({ keyPair: DHT.keyPair(), bootstrap: testnet.bootstrap, log: (l) => logs.push(l), announce: false });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.destroy({ force: true })));
  await Promise.all(backends.map((b) => b.close()));
  await relay?.close();
  await testnet?.destroy();
});

describe('a node in private mode dialled by a stranger', () => {
  it('outside private mode (the control): the stranger gets the node address and a direct connection', async () => {
    const { b } = await node(null, DHT.keyPair());
    const keys = (b as unknown as { _keyPair: KeyPair })._keyPair;
    const { stream, payloads } = await strangerDials(keys.publicKey);
    expect(stream).not.toBeNull();
    expect(payloads.flatMap((p) => p.addresses4 ?? [])).toContainEqual({ host: '127.0.0.1', port: b.port });
    expect(stream!.rawStream?.remotePort).toBe(b.port);
    stream!.destroy();
  });

  it('is reached only through its own relay, and sends no address of its own', async () => {
    const keys = DHT.keyPair();
    const { b, links } = await node(privateMode([relay.publicKey]), keys);
    const { stream, payloads } = await strangerDials(keys.publicKey);
    expect(stream).not.toBeNull();
    expect(payloads.length).toBeGreaterThan(0);
    for (const p of payloads) {
      expect(p.addresses4 ?? []).toEqual([]);
      expect(p.firewall).not.toBe(1); // never claims to be directly reachable
      expect(p.relayThrough?.publicKey).toEqual(relay.publicKey);
    }
    expect(stream!.rawStream?.remotePort).toBe(relay.port);
    expect(stream!.rawStream?.remotePort).not.toBe(b.port);
    await waitFor(() => links.length === 1, 10_000, 'the node sees the connection');
    expect(links[0]!.route).toEqual({ relay: relay.publicKey });
    stream!.destroy();
  });

  it('answers a stranger that asks for a relay of its own through our relay all the same', async () => {
    const theirs = await startRelay({ keyPair: DHT.keyPair(), bootstrap: testnet.bootstrap, log: (l) => logs.push(l), announce: false });
    try {
      const keys = DHT.keyPair();
      await node(privateMode([relay.publicKey]), keys);
      const { stream, payloads } = await strangerDials(keys.publicKey, 15_000, DHT.keyPair(), theirs.publicKey);
      expect(stream).not.toBeNull();
      for (const p of payloads) expect(p.relayThrough?.publicKey).toEqual(relay.publicKey);
      expect(stream!.rawStream?.remotePort).toBe(relay.port);
      expect(theirs.counts().pairs).toBe(0);
      stream!.destroy();
    } finally {
      await theirs.close();
    }
  });

  it('while only contacts may ring, a stranger gets no reply at all; a contact is answered through the relay', async () => {
    const keys = DHT.keyPair();
    const contact = DHT.keyPair();
    const { links } = await node(privateMode([relay.publicKey], { allowOnly: new Set([encodeNodeId(contact.publicKey)]) }), keys);
    const stranger = await strangerDials(keys.publicKey, 8_000);
    expect(stranger.stream).toBeNull();
    expect(stranger.payloads).toEqual([]);
    expect(links).toHaveLength(0);
    expect(logs.some((l) => l.includes('refused (not-a-contact)'))).toBe(true);

    const { b: theirs } = await node(privateMode([relay.publicKey]), contact);
    const link = await theirs.connect(keys.publicKey, AbortSignal.timeout(20_000));
    expect(link.route).toEqual({ relay: relay.publicKey });
    await waitFor(() => links.length === 1, 10_000, 'the contact gets through');
    link.close();
  });

  it('knowing no relay, refuses every handshake rather than answer directly', async () => {
    const keys = DHT.keyPair();
    const { links } = await node(privateMode([]), keys);
    const { stream, payloads } = await strangerDials(keys.publicKey, 8_000);
    expect(stream).toBeNull();
    expect(payloads).toEqual([]);
    expect(links).toHaveLength(0);
  });

  it('a private caller that knows no relay fails in words and dials nobody', async () => {
    const { b } = await node(privateMode([]));
    const err = await b.connect(DHT.keyPair().publicKey, AbortSignal.timeout(1000)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNREACHABLE', why: 'no-relay' });
  });
});

describe('direct connections with contacts', () => {
  // Whether a holepunch then succeeds is the NAT matrix's to show (tests/netns): on loopback,
  // HyperDHT's holepunching is not reliable. Here: each handshake is decided on its own.
  it('answer an allowed contact without a relay while a stranger at the same moment is answered through ours', async () => {
    const bobKeys = DHT.keyPair();
    const aliceKeys = DHT.keyPair();
    await node(privateMode([relay.publicKey], { direct: new Set([encodeNodeId(aliceKeys.publicKey)]) }), bobKeys);
    const [contact, stranger] = await Promise.all([strangerDials(bobKeys.publicKey, 3000, aliceKeys), strangerDials(bobKeys.publicKey)]);
    expect(contact.payloads.length).toBeGreaterThan(0);
    for (const p of contact.payloads) expect(p.relayThrough).toBeNull();
    expect(stranger.stream).not.toBeNull();
    expect(stranger.stream!.rawStream?.remotePort).toBe(relay.port);
    for (const p of [...stranger.payloads, ...contact.payloads]) expect(p.addresses4 ?? []).toEqual([]);
    for (const p of stranger.payloads) expect(p.relayThrough?.publicKey).toEqual(relay.publicKey);
    contact.stream?.destroy();
    stranger.stream!.destroy();
  });
});
