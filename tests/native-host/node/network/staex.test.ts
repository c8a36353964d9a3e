import DHT from 'hyperdht';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignallingMessage } from '../../../../lib/protocol/signalling';
import type { PeerLink, ServiceConnection } from '../../../../native-host/node/network/backend';
import { PeerUnreachable } from '../../../../native-host/node/network/connect-failure';
import { Mcc } from '../../../../native-host/node/network/mcc';
import { StaexBackend } from '../../../../native-host/node/network/staex';
import { type StaexStandin, type StandinNode, startStaexStandin } from '../../../../testkit/network/staex';

// Two (or three) Staex backends on the mcc stand-in: each on its own loopback address, real
// TCP and UDP between them, the real Noise handshake.

interface Side {
  node: StandinNode;
  keyPair: { publicKey: Buffer; secretKey: Buffer };
  backend: StaexBackend;
  links: PeerLink[];
  // What each accepted link carried, recorded from the moment it was accepted.
  heard: SignallingMessage[];
  // Service connections accepted (only when the side takes them).
  services: ServiceConnection[];
  // What they carried, read from the moment each was accepted (as the site mux does).
  serviceData: Buffer[];
  log: string[];
}

let standin: StaexStandin;
const sides: Side[] = [];

beforeEach(async () => {
  standin = await startStaexStandin();
});
afterEach(async () => {
  for (const s of sides.splice(0)) await s.backend.close();
  await standin.destroy();
});

interface SideOptions {
  listen?: boolean;
  addressCheckMs?: number;
  // Whether the side takes service connections (as a node's sites do).
  services?: boolean;
  keepAliveMs?: number;
  stallTimeoutMs?: number;
}

async function side(opts: SideOptions = {}): Promise<Side> {
  const node = await standin.add();
  const keyPair = DHT.keyPair();
  const log: string[] = [];
  const backend = new StaexBackend({
    keyPair,
    // The stand-in is a Node.js process: on a loaded machine it may take seconds to start.
    mcc: new Mcc({ command: node.command, timeoutMs: 30_000 }),
    port: standin.port,
    log: (l) => log.push(l),
    ...(opts.addressCheckMs ? { addressCheckMs: opts.addressCheckMs } : {}),
    ...(opts.keepAliveMs !== undefined ? { keepAliveMs: opts.keepAliveMs } : {}),
    ...(opts.stallTimeoutMs !== undefined ? { stallTimeoutMs: opts.stallTimeoutMs } : {}),
  });
  const s: Side = { node, keyPair, backend, links: [], heard: [], services: [], serviceData: [], log };
  sides.push(s);
  if (opts.listen !== false)
    await backend.listen(
      (l) => {
        s.links.push(l);
        l.on('message', (m) => s.heard.push(m));
      },
      opts.services
        ? (c) => {
            s.services.push(c);
            c.stream.on('data', (d) => s.serviceData.push(d));
          }
        : undefined,
    );
  return s;
}

function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  return Promise.race([p, new Promise<T>((_r, reject) => setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms))]);
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!ok()) throw new Error(`waited 5 s for ${what}`);
}

const nextMessage = (link: PeerLink) => within(5000, 'a signalling message', new Promise<SignallingMessage>((r) => link.on('message', r)));
const nextDatagram = (link: PeerLink) => within(5000, 'a datagram', new Promise<Buffer>((r) => link.on('datagram', r)));

async function failure(p: Promise<unknown>): Promise<PeerUnreachable> {
  try {
    await p;
  } catch (err) {
    if (err instanceof PeerUnreachable) return err;
    throw err;
  }
  throw new Error('expected the connect to fail');
}

describe('StaexBackend', () => {
  it('listens on its own Staex address, as mcc gives it', async () => {
    const a = await side();
    expect(a.backend.staexId).toBe(a.node.staexId);
    expect(a.backend.address).toBe(a.node.address);
    expect(a.backend.port).toBe(standin.port);
  });

  it('carries signalling both ways and datagrams over UDP between the two nodes’ addresses, each side proving its key', async () => {
    const a = await side();
    const b = await side();
    const link = await a.backend.connect(b.keyPair.publicKey, AbortSignal.timeout(5000), { staexId: b.node.staexId });
    expect(link.route).toEqual({ relay: null, network: 'staex' });
    link.send({ type: 'ping', seq: 1 });
    await until('the callee to accept the link', () => b.links.length === 1);
    const theirs = b.links[0]!;
    expect(theirs.remoteKey.equals(a.keyPair.publicKey)).toBe(true);
    await until('the ping to arrive', () => b.heard.length === 1);
    expect(b.heard).toEqual([{ type: 'ping', seq: 1 }]);
    const pong = nextMessage(link);
    theirs.send({ type: 'pong', seq: 1 });
    expect(await pong).toEqual({ type: 'pong', seq: 1 });

    // UDP is lossy even on loopback under load: send until one arrives, each way.
    for (const [from, to] of [
      [link, theirs],
      [theirs, link],
    ] as const) {
      const got = nextDatagram(to);
      const beat = setInterval(() => from.sendDatagram(Buffer.from('media bytes')), 50);
      try {
        expect((await got).toString()).toBe('media bytes');
      } finally {
        clearInterval(beat);
      }
    }
    link.close();
    await within(5000, 'the close', new Promise((r) => theirs.on('close', r)));
  });

  it('hangs up on a node that answers with another key than the one called', async () => {
    const a = await side();
    const b = await side();
    const err = await failure(a.backend.connect(DHT.keyPair().publicKey, AbortSignal.timeout(5000), { staexId: b.node.staexId }));
    expect(err.why).toBe('refused');
    expect(err.detail).toMatch(new RegExp(`answered at ${b.node.address.replace(/\./g, '\\.')} .*not node .* that was called`));
  });

  it('cannot call without a Staex id', async () => {
    const a = await side();
    const err = await failure(a.backend.connect(DHT.keyPair().publicKey, AbortSignal.timeout(5000)));
    expect(err.why).toBe('unknown');
    expect(err.detail).toMatch(/has no staex-id record/);
  });

  it('looks an unknown Staex id or a node not listening like an offline node, worth looking up again', async () => {
    const a = await side();
    const gone = await side({ listen: false });
    const stranger = DHT.keyPair().publicKey;
    await standin.forget(gone.node);
    const unknown = await failure(a.backend.connect(stranger, AbortSignal.timeout(5000), { staexId: gone.node.staexId }));
    expect(unknown.why).toBe('offline');
    expect(unknown.detail).toMatch(/node .* not found/);
    const silent = await side({ listen: false });
    const refused = await failure(a.backend.connect(stranger, AbortSignal.timeout(5000), { staexId: silent.node.staexId }));
    expect(refused.why).toBe('offline');
    expect(refused.detail).toMatch(/ECONNREFUSED/);
  });

  it('listens at the address it was given, for an mcc that does not resolve its own id', async () => {
    const node = await standin.add();
    await standin.forget(node);
    const backend = new StaexBackend({
      keyPair: DHT.keyPair(),
      mcc: new Mcc({ command: node.command, timeoutMs: 30_000 }),
      port: standin.port,
      address: node.address,
      log: () => {},
    });
    try {
      await backend.listen(() => {});
      expect(backend.address).toBe(node.address);
      expect(backend.staexId).toBe(node.staexId);
    } finally {
      await backend.close();
    }
  });

  it('says why it cannot start when mcc is missing', async () => {
    const backend = new StaexBackend({
      keyPair: DHT.keyPair(),
      mcc: new Mcc({ command: ['/nonexistent/mcc'] }),
      port: standin.port,
      log: () => {},
    });
    await expect(backend.listen(() => {})).rejects.toThrow(/was not found/);
    expect(backend.port).toBeNull();
    await backend.close();
  });

  it('ignores datagrams from addresses it has no link with', async () => {
    const a = await side();
    const b = await side();
    const link = await a.backend.connect(b.keyPair.publicKey, AbortSignal.timeout(5000), { staexId: b.node.staexId });
    await until('the callee to accept the link', () => b.links.length === 1);
    const seen: Buffer[] = [];
    b.links[0]!.on('datagram', (d) => seen.push(d));
    // A third node sends forged datagrams to b's port: none is delivered.
    const c = await side();
    const forged = await c.backend.connect(b.keyPair.publicKey, AbortSignal.timeout(5000), { staexId: b.node.staexId });
    await until('the second link', () => b.links.length === 2);
    for (let i = 0; i < 20; i++) forged.sendDatagram(Buffer.from('not for that link'));
    // Then a real one on the first link must still arrive, alone.
    const got = nextDatagram(b.links[0]!);
    const beat = setInterval(() => link.sendDatagram(Buffer.from('real')), 50);
    try {
      expect((await got).toString()).toBe('real');
    } finally {
      clearInterval(beat);
    }
    expect(seen.every((d) => d.toString() === 'real')).toBe(true);
  });

  it('listens at its new address when mcc moves it', async () => {
    const a = await side({ addressCheckMs: 200 });
    const old = a.node.address;
    const moved = await standin.move(a.node);
    await until('the backend to move', () => a.backend.address === moved);
    expect(a.log.some((l) => l.includes(`moved from ${old} to ${moved}`))).toBe(true);
    const b = await side();
    const link = await b.backend.connect(a.keyPair.publicKey, AbortSignal.timeout(5000), { staexId: a.node.staexId });
    expect(link.closed).toBe(false);
  });

  it('opens a service connection the same way as a call, and hands the accepted one to onService', async () => {
    const a = await side();
    const b = await side({ services: true });
    const opened = await a.backend.openService(b.keyPair.publicKey, 'site', AbortSignal.timeout(5000), { staexId: b.node.staexId });
    expect(opened.route).toEqual({ relay: null, network: 'staex' });
    opened.stream.write(Buffer.from('site bytes'));
    await until('the publisher to get the connection', () => b.services.length === 1);
    const accepted = b.services[0]!;
    expect(accepted).toMatchObject({ service: 'site', route: { relay: null, network: 'staex' } });
    expect(accepted.remoteKey.equals(a.keyPair.publicKey)).toBe(true);
    await until('bytes at the publisher', () => b.serviceData.length === 1);
    expect(b.serviceData.map(String)).toEqual(['site bytes']);
    const back = within(5000, 'bytes at the visitor', new Promise<Buffer>((r) => opened.stream.on('data', r)));
    accepted.stream.write(Buffer.from('answer'));
    expect((await back).toString()).toBe('answer');
    // The call layer saw a link that handed its stream over and closed, and no message.
    expect(b.heard).toEqual([]);
    opened.stream.destroy();
  });

  it('checks the key of a service connection as of a call, and refuses one nobody takes', async () => {
    const a = await side();
    const b = await side({ services: true });
    const err = await failure(
      a.backend.openService(DHT.keyPair().publicKey, 'site', AbortSignal.timeout(5000), { staexId: b.node.staexId }),
    );
    expect(err.why).toBe('refused');
    expect(err.detail).toMatch(/not node .* that was called/);
    expect(b.services).toEqual([]);
    const noId = await failure(a.backend.openService(b.keyPair.publicKey, 'site', AbortSignal.timeout(5000)));
    expect(noId.detail).toMatch(/has no staex-id record/);
    // A node that takes no services closes the connection after the preamble.
    const c = await side();
    const refused = await c.backend.openService(a.keyPair.publicKey, 'site', AbortSignal.timeout(5000), { staexId: a.node.staexId });
    await within(5000, 'the refused connection to close', new Promise((r) => refused.stream.on('close', () => r(null))));
  });

  it('closes a connection on which the peer goes silent, and keeps a quiet healthy one open', async () => {
    // The visitor sends no keep-alives (0): the publisher's stall limit ends the connection.
    const mute = await side({ keepAliveMs: 0 });
    const b = await side({ services: true, keepAliveMs: 100, stallTimeoutMs: 2000 });
    const silent = await mute.backend.openService(b.keyPair.publicKey, 'site', AbortSignal.timeout(5000), { staexId: b.node.staexId });
    silent.stream.on('error', () => {});
    await until('the publisher to get the connection', () => b.services.length === 1);
    const closed = within(5000, 'the silent connection to close', new Promise((r) => b.services[0]!.stream.on('close', () => r(null))));
    b.services[0]!.stream.on('error', () => {});
    await closed;
    // Both sides sending keep-alives: a connection carrying no data stays open past the limit.
    const talker = await side({ keepAliveMs: 100, stallTimeoutMs: 2000 });
    const quiet = await talker.backend.openService(b.keyPair.publicKey, 'site', AbortSignal.timeout(5000), { staexId: b.node.staexId });
    await until('the publisher to get the second connection', () => b.services.length === 2);
    await new Promise((r) => setTimeout(r, 3000));
    expect(quiet.stream.destroyed).toBe(false);
    expect(b.services[1]!.stream.destroyed).toBe(false);
  });
});
