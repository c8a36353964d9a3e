import { join } from 'node:path';
import DHT from 'hyperdht';
import createTestnet, { type Testnet } from 'hyperdht/testnet.js';
import { profileAt } from '../native-host/common/profile';
import type { Timing } from '../native-host/node/calls/timing';
import { CopybaraNode, type NodeOptions } from '../native-host/node/node';
import { type RelayLimits, type RunningRelay, startRelay } from '../native-host/node/network/relay-server';
import { NodeSocket, callState } from './node-socket';
import { tempDir } from './processes';
import { type DataCollector, type PeerAddress, TurnClient } from './turn-client';

// Calls between in-process nodes in private mode on a loopback HyperDHT testnet, with blind
// relays nobody finds by the topic (each node is given the relays it may use), for the
// integration tests of relayed calls.

// Keep-alive short enough that a lost peer shows within a test's patience.
export const FAST_TIMING: Partial<Timing> = { peerLostAfter: 2000, activeSilenceAfter: 2000, keepAliveInterval: 250, ringAckTimeout: 1000 };

export class PrivateNet {
  readonly logs: string[] = [];
  readonly relays: RunningRelay[] = [];
  private readonly _nodes: CopybaraNode[] = [];
  private readonly _sockets: NodeSocket[] = [];

  private constructor(
    readonly testnet: Testnet,
    private readonly _dir: { path: string; remove(): Promise<void> },
  ) {}

  static async start(tag: string): Promise<PrivateNet> {
    const dir = await tempDir(tag);
    return new PrivateNet(await createTestnet(3, { host: '127.0.0.1' }), dir);
  }

  async relay(name: string, limits: Partial<RelayLimits> = {}): Promise<RunningRelay> {
    const relay = await startRelay({
      limits,
      keyPair: DHT.keyPair(),
      bootstrap: this.testnet.bootstrap,
      log: (l) => this.logs.push(`${name}: ${l}`),
      announce: false,
    });
    this.relays.push(relay);
    return relay;
  }

  // A node in private mode with `pinned` relays, and a socket to it as a bridge has.
  // `extra`: more node options (the sites tests give the simulated chain's endpoint).
  async node(
    name: string,
    pinned: readonly RunningRelay[],
    timing: Partial<Timing> = FAST_TIMING,
    extra: Partial<NodeOptions> = {},
  ): Promise<[CopybaraNode, NodeSocket]> {
    const profile = profileAt(join(this._dir.path, name));
    const node = new CopybaraNode({
      ...extra,
      profile,
      bootstrap: this.testnet.bootstrap,
      log: (l) => this.logs.push(`${name}: ${l}`),
      idleExitMs: null,
      timing,
      relays: { pinned: pinned.map((r) => r.publicKey) },
    });
    this._nodes.push(node);
    await node.start();
    const socket = await NodeSocket.connect(profile.socketPath);
    this._sockets.push(socket);
    return [node, socket];
  }

  async close(): Promise<void> {
    for (const s of this._sockets) s.close();
    await Promise.all(this._nodes.map((n) => n.close()));
    await Promise.all(this.relays.map((r) => r.close()));
    await this.testnet.destroy();
    await this._dir.remove();
  }
}

// A call from `from` to `to` (node `callee`), answered; resolves once the caller sees it active.
export async function answeredCall(from: NodeSocket, to: NodeSocket, callee: CopybaraNode): Promise<string> {
  const { callId } = await from.request({ type: 'call', target: callee.identity!.nodeId });
  await to.waitFor('incoming at the callee', callState(callId, 'incoming'));
  await to.request({ type: 'answer', callId });
  await from.waitFor('active at the caller', callState(callId, 'active'));
  return callId;
}

// Both sides' browsers as far as media goes: a TURN allocation at each node, each permitting
// the other's relayed address, sending datagrams over the call.
export class CallMedia {
  private constructor(
    private readonly _clients: Record<'a' | 'b', TurnClient>,
    private readonly _relayed: Record<'a' | 'b', PeerAddress>,
    private readonly _heard: Record<'a' | 'b', DataCollector>,
  ) {}

  static async open(sa: NodeSocket, sb: NodeSocket, callId: string): Promise<CallMedia> {
    const [ta, tb] = await Promise.all([
      sa.request({ type: 'turn', callId, browser: 'chromium' }),
      sb.request({ type: 'turn', callId, browser: 'chromium' }),
    ]);
    const port = (url: string) => Number(/:(\d+)\?/.exec(url)![1]);
    const a = await TurnClient.connect({ port: port(ta.urls[0]!), username: ta.username, password: ta.credential });
    const b = await TurnClient.connect({ port: port(tb.urls[0]!), username: tb.username, password: tb.credential });
    const ra = await a.allocate();
    const rb = await b.allocate();
    await a.createPermission(rb.address);
    await b.createPermission(ra.address);
    return new CallMedia({ a, b }, { a: ra, b: rb }, { a: a.collect(), b: b.collect() });
  }

  // Sends `text` from one side, once.
  send(from: 'a' | 'b', text: string): void {
    const to = from === 'a' ? 'b' : 'a';
    this._clients[from].send(this._relayed[to], Buffer.from(text));
  }

  // Sends from one side every `everyMs` until a datagram of its own arrives at the other;
  // resolves with the text that arrived, rejects after `timeoutMs`. Earlier datagrams still
  // on their way are skipped.
  async flows(from: 'a' | 'b', timeoutMs: number, everyMs = 50): Promise<string> {
    const heard = this._heard[from === 'a' ? 'b' : 'a'];
    const tag = `${from}-${Math.random().toString(36).slice(2)}-`;
    const deadline = Date.now() + timeoutMs;
    let n = 0;
    for (;;) {
      this.send(from, `${tag}${n++}`);
      const wait = Math.min(everyMs, deadline - Date.now());
      if (wait <= 0) throw new Error(`no datagram from ${from} arrived within ${timeoutMs} ms`);
      try {
        const text = Buffer.from((await heard.next(wait)).data).toString();
        if (text.startsWith(tag)) return text;
      } catch {
        // Nothing within this round: send again.
      }
    }
  }

  async close(): Promise<void> {
    await this._clients.a.close();
    await this._clients.b.close();
  }
}
