import { once } from 'node:events';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import DHT, { type NoiseSecretStream } from 'hyperdht';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog, openLogFile } from '../../../../native-host/common/log';
import type { PeerLink } from '../../../../native-host/node/network/backend';
import { HyperdhtBackend } from '../../../../native-host/node/network/hyperdht';
import type { LinkLimits } from '../../../../native-host/node/network/link-limits';
import { StreamLink } from '../../../../native-host/node/network/stream-link';
import { until } from '../../../../testkit/call-checks';
import { type LocalDht, startLocalDht } from '../../../../testkit/network/dht';
import { badFrames, frames } from '../../../../testkit/network/fake-stream';
import { tempDir } from '../../../../testkit/processes';

// Real secret streams over a HyperDHT testnet on 127.0.0.1: the node's side is what
// HyperdhtBackend runs, the peer a raw client writing what an attacker would.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ping = (seq: number) => ({ v: 1, type: 'ping', seq });

// Answers pings as the call machine does.
function answerPings(link: PeerLink): void {
  link.on('message', (m) => {
    if (m.type === 'ping') link.send({ type: 'pong', seq: m.seq });
  });
}

let dht: LocalDht;
beforeAll(async () => {
  dht = await startLocalDht();
});
afterAll(async () => {
  await dht?.destroy();
});

describe('a peer flooding a node with malformed signalling', () => {
  it('is cut off after 8 bad frames; the log grows by a few lines and another link’s media keeps its pace', async () => {
    const dir = await tempDir('flood');
    const logPath = join(dir.path, 'node.log');
    const keyPair = DHT.keyPair();
    const backend = new HyperdhtBackend({ keyPair, bootstrap: dht.testnet.bootstrap, log: createLog(openLogFile(logPath), 'node') });
    const links: PeerLink[] = [];
    await backend.listen((l) => links.push(l));
    try {
      const honest = await dht.connect(keyPair.publicKey);
      const call = await until('the honest link', 5000, async () => links[0], Boolean);
      const arrivals: number[] = [];
      call!.on('datagram', () => arrivals.push(performance.now()));

      const attacker = await dht.connect(keyPair.publicKey);
      const flood = await until('the flooding link', 5000, async () => links[1], Boolean);
      const closed = new Promise<[string]>((resolve) => flood!.on('close', (reason) => resolve([reason])));

      // Media at 100 packets a second on the honest link for 1.5 s; the flood comes in the
      // middle: 200,000 bad frames (1 MB), which took the node seconds to log one by one.
      let sent = 0;
      const media = setInterval(() => honest.trySend(Buffer.from([sent++ & 0xff, 1, 2, 3])), 10);
      await sleep(500);
      attacker.on('error', () => {});
      attacker.write(badFrames(100_000));
      attacker.write(badFrames(100_000));
      const [reason] = await Promise.race([closed, sleep(5000).then(() => ['still open after 5 s'])]);
      await sleep(1000);
      clearInterval(media);
      await sleep(200);

      expect(reason).toBe('the peer was cut off: it sent 8 malformed messages');
      expect(statSync(logPath).size).toBeLessThan(4096);
      expect(arrivals.length).toBeGreaterThanOrEqual(Math.floor(sent * 0.95));
      const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
      expect(Math.max(...gaps)).toBeLessThan(400);
      expect(call!.closed).toBe(false);
    } finally {
      await backend.close();
      await dir.remove();
    }
  });
});

describe('a peer that pings without reading', () => {
  // The node's side of each connection, as HyperdhtBackend makes it, with its stream at hand
  // to see how much the node has queued for the peer.
  async function nodeSide(limits: Partial<LinkLimits>) {
    const keyPair = DHT.keyPair();
    const node = new DHT({ bootstrap: dht.testnet.bootstrap, host: '127.0.0.1', firewalled: false });
    const accepted: { stream: NoiseSecretStream; link: StreamLink }[] = [];
    const server = node.createServer((stream) => {
      const link = new StreamLink(stream, () => {}, { limits });
      answerPings(link);
      accepted.push({ stream, link });
    });
    await server.listen(keyPair);
    let maxQueued = 0;
    const peer = await dht.connect(keyPair.publicKey);
    const side = await until('the node side', 5000, async () => accepted[0], Boolean);
    // streamx has no writableLength; the bytes it holds back are its writable state's.
    const queued = () => (side!.stream as unknown as { _writableState: { buffered: number } })._writableState.buffered;
    const write = side!.stream.write.bind(side!.stream);
    side!.stream.write = (data: Uint8Array) => {
      const ok = write(data);
      maxQueued = Math.max(maxQueued, queued());
      return ok;
    };
    return { peer, link: side!.link, maxQueued: () => maxQueued, close: () => node.destroy({ force: true }) };
  }

  it('200,000 pings: cut off at the message limit, with next to nothing queued for it', async () => {
    const t = await nodeSide({});
    try {
      const closed = once(t.link, 'close') as Promise<[string]>;
      (t.peer as unknown as { pause(): void }).pause();
      t.peer.on('error', () => {});
      // In writes of 100 pings, so that the message limit, not the byte limit, is what trips.
      for (let i = 0; i < 2000; i++) t.peer.write(frames(ping(i), 100));
      const [reason] = await Promise.race([closed, sleep(10_000).then(() => ['still open after 10 s'])]);
      expect(reason).toBe('the peer was cut off: it sent more than 50 messages a second');
      expect(t.maxQueued()).toBeLessThan(16 * 1024);
    } finally {
      await t.close();
    }
  });

  it('with the rate limits lifted, the node stops answering once its queue is at the mark: 200,000 pings queue at most ~16 KiB', async () => {
    const t = await nodeSide({ messagesPerSecond: 1e9, messageBurst: 1e9, bytesPerSecond: 1e9, byteBurst: 1e9 });
    try {
      (t.peer as unknown as { pause(): void }).pause();
      t.peer.write(frames(ping(1), 200_000));
      await until('the pings to arrive', 20_000, async () => t.link.closed || t.maxQueued() > 0, Boolean);
      await sleep(3000);
      expect(t.maxQueued()).toBeGreaterThan(0);
      expect(t.maxQueued()).toBeLessThan(17 * 1024);
    } finally {
      await t.close();
    }
  });
});
