import type { TurnBinding } from '../../native-host/node/turn/server';
import { TurnServer } from '../../native-host/node/turn/server';
import { TurnClient, type PeerAddress } from '../turn-client';

// Shared set-up for the server tests: a server on loopback with an injectable clock, users
// whose binding.send() is recorded, and clients that are all closed afterwards.

export interface Sent {
  fromPort: number;
  toPort: number;
  data: Buffer;
}

export class Harness {
  t = 1_700_000_000_000;
  readonly logs: string[] = [];
  readonly server: TurnServer;
  readonly sent = new Map<string, Sent[]>();
  private readonly clients: TurnClient[] = [];

  constructor() {
    this.server = new TurnServer({ now: () => this.t, log: (l) => this.logs.push(l) });
  }

  async start(): Promise<this> {
    await this.server.listen();
    return this;
  }

  advance(ms: number): void {
    this.t += ms;
  }

  addUser(name: string, password: string, overrides: Partial<TurnBinding> = {}): Sent[] {
    const log: Sent[] = [];
    this.sent.set(name, log);
    this.server.addUser(name, password, {
      relayIp: '100.64.0.1',
      peerIp: '100.64.0.2',
      maxPayload: 1500,
      send: (fromPort, toPort, data) => log.push({ fromPort, toPort, data: Buffer.from(data) }),
      ...overrides,
    });
    return log;
  }

  async client(username: string, password: string, timeoutMs = 1000): Promise<TurnClient> {
    const c = await TurnClient.connect({ port: this.server.port, username, password, timeoutMs });
    this.clients.push(c);
    return c;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
    await this.server.close();
  }
}

export const PEER: PeerAddress = { address: '100.64.0.2', port: 50000 };

/** Polls `cond` every 5 ms; fails with `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A bare UDP socket for hand-built exchanges (same 5-tuple, any credentials). */
export class RawClient {
  private constructor(
    readonly socket: import('node:dgram').Socket,
    private readonly serverPort: number,
  ) {}

  static async open(serverPort: number): Promise<RawClient> {
    const { createSocket } = await import('node:dgram');
    const socket = createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    return new RawClient(socket, serverPort);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** Sends `bytes` and resolves with the next datagram received (or rejects after `ms`). */
  exchange(bytes: Uint8Array, ms = 1000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.socket.off('message', onMessage);
        reject(new Error('no answer from the TURN server'));
      }, ms);
      const onMessage = (msg: Buffer): void => {
        clearTimeout(timer);
        resolve(msg);
      };
      this.socket.once('message', onMessage);
      this.socket.send(bytes, this.serverPort, '127.0.0.1');
    });
  }

  send(bytes: Uint8Array): void {
    this.socket.send(bytes, this.serverPort, '127.0.0.1');
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
