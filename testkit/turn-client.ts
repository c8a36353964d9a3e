import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { encodeChannelNumber, encodeRequestedTransport, encodeU32, readLifetime } from '../native-host/node/turn/stun/attributes';
import { ATTR, CLASS, METHOD } from '../native-host/node/turn/stun/constants';
import { decodeErrorCode } from '../native-host/node/turn/stun/error-code';
import { checkFingerprint } from '../native-host/node/turn/stun/fingerprint';
import { longTermKey, verifyIntegrity } from '../native-host/node/turn/stun/integrity';
import { parseIp } from '../native-host/node/turn/stun/ip';
import { StunMessage } from '../native-host/node/turn/stun/message';
import { StunWriter } from '../native-host/node/turn/stun/writer';
import { decodeXorAddress, encodeXorAddress, type TransportAddress } from '../native-host/node/turn/stun/xor-address';
import { decodeChannelData, encodeChannelData } from '../native-host/node/turn/wire/channel-data';
import { encodeSendIndication } from '../native-host/node/turn/wire/indication';

// A small real TURN client over a UDP socket, doing what Chromium's TurnPort does: the
// 401 dance, Allocate, CreatePermission, ChannelBind, Send indications, ChannelData and
// Refresh. Every wait is bounded and fails with an error that says what was waited for.

export interface PeerAddress {
  address: string;
  port: number;
}
export interface TurnData {
  peer: PeerAddress;
  data: Buffer;
  /** Channel number it arrived on, or null for a Data indication. */
  channel: number | null;
}
export interface TurnClientOptions {
  port: number;
  host?: string;
  /** The client's own address (default: the server's), e.g. to play another machine. */
  bindHost?: string;
  username: string;
  password: string;
  /** Bound on each request and on nextData() (default 2000 ms). */
  timeoutMs?: number;
}
/** An attribute for a request; a function value is given the transaction id (XOR'ed addresses). */
export type Attr = readonly [type: number, value: Uint8Array | string | ((transactionId: Buffer) => Uint8Array)];

export class TurnRequestError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly response: StunMessage,
  ) {
    super(`TURN error ${code} ${reason}`);
    this.name = 'TurnRequestError';
  }
}

interface Pending {
  resolve(msg: StunMessage): void;
  reject(err: Error): void;
  timers: ReturnType<typeof setTimeout>[];
}

const peerKey = (p: PeerAddress): string => `${p.address}|${p.port}`;

export class TurnClient {
  relayed: PeerAddress | null = null;
  mapped: PeerAddress | null = null;
  lifetime = 0;
  readonly server: PeerAddress;
  private readonly socket: Socket;
  private readonly opts: TurnClientOptions;
  private readonly timeoutMs: number;
  private readonly events = new EventEmitter();
  private readonly pending = new Map<string, Pending>();
  private readonly inbox: DataCollector;
  private readonly channelByPeer = new Map<string, number>();
  private readonly peerByChannel = new Map<number, PeerAddress>();
  private nextChannel = 0x4000;
  private realm: string | null = null;
  private nonce: string | null = null;
  private key: Buffer | null = null;
  private closed: Promise<void> | null = null;

  private constructor(socket: Socket, opts: TurnClientOptions) {
    this.socket = socket;
    this.opts = opts;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.server = { address: opts.host ?? '127.0.0.1', port: opts.port };
    socket.on('message', (msg) => this.onDatagram(msg));
    this.inbox = this.collect();
  }

  static async connect(opts: TurnClientOptions): Promise<TurnClient> {
    const host = opts.host ?? '127.0.0.1';
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, opts.bindHost ?? host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new TurnClient(socket, opts);
  }

  get localPort(): number {
    return this.socket.address().port;
  }

  on(event: 'data', listener: (d: TurnData) => void): this {
    this.events.on(event, listener);
    return this;
  }

  off(event: 'data', listener: (d: TurnData) => void): this {
    this.events.off(event, listener);
    return this;
  }

  /** Sends bytes as they are (malformed datagrams for tests). */
  sendRaw(data: Uint8Array): void {
    this.socket.send(data, this.server.port, this.server.address);
  }

  /** One transaction; resolves with the response whatever its class. */
  transact(method: number, attrs: readonly Attr[] = [], opts: { auth?: boolean; transactionId?: Buffer } = {}): Promise<StunMessage> {
    const tid = opts.transactionId ?? randomBytes(12);
    const w = new StunWriter(method, CLASS.REQUEST, tid);
    for (const [type, value] of attrs) w.add(type, typeof value === 'function' ? value(tid) : value);
    let key: Buffer | undefined;
    if (opts.auth && this.key && this.realm !== null && this.nonce !== null) {
      w.add(ATTR.USERNAME, this.opts.username).add(ATTR.REALM, this.realm).add(ATTR.NONCE, this.nonce);
      key = this.key;
    }
    const bytes = w.finish({ integrityKey: key, fingerprint: true });
    return new Promise<StunMessage>((resolve, reject) => {
      if (this.closed) return reject(new Error('TURN client is closed'));
      const id = tid.toString('hex');
      const timers: ReturnType<typeof setTimeout>[] = [];
      const done = (): void => {
        timers.forEach(clearTimeout);
        this.pending.delete(id);
      };
      this.pending.set(id, {
        resolve: (m) => (done(), resolve(m)),
        reject: (e) => (done(), reject(e)),
        timers,
      });
      // RFC 5389 §7.2.1 retransmits with doubling RTO; loopback rarely loses, but may.
      for (let t = 0, rto = 100; t < this.timeoutMs; t += rto, rto *= 2) {
        timers.push(setTimeout(() => this.sendRaw(bytes), t));
      }
      timers.push(
        setTimeout(() => {
          done();
          reject(
            new Error(
              `TURN method 0x${method.toString(16)} to ${this.server.address}:${this.server.port} timed out after ${this.timeoutMs} ms`,
            ),
          );
        }, this.timeoutMs),
      );
    });
  }

  /**
   * An authenticated request with Chromium's handling: without a nonce yet, go unauthenticated
   * first and take REALM/NONCE from the 401; on 438 take the fresh nonce and retry.
   */
  async request(method: number, attrs: readonly Attr[] = []): Promise<StunMessage> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const res = await this.transact(method, attrs, { auth: this.nonce !== null });
      const authed = this.nonce !== null;
      if (res.cls === CLASS.SUCCESS) {
        if (authed && (!this.key || !verifyIntegrity(res, this.key))) throw new Error('response MESSAGE-INTEGRITY invalid');
        return res;
      }
      const err = decodeErrorCode(res.get(ATTR.ERROR_CODE) ?? Buffer.alloc(0));
      const retry = (err.code === 401 && !authed) || err.code === 438;
      if (!retry || !this.learnChallenge(res)) throw new TurnRequestError(err.code, err.reason, res);
    }
    throw new Error('TURN request kept failing authentication');
  }

  /** Learns REALM and NONCE from the 401 to an unauthenticated (side-effect free) Refresh. */
  async fetchNonce(): Promise<void> {
    if (!this.learnChallenge(await this.transact(METHOD.REFRESH))) throw new Error('server sent no REALM/NONCE challenge');
  }

  /** Takes REALM and NONCE from a 401/438 (RFC 5389 §10.2.3); false if they are missing. */
  private learnChallenge(res: StunMessage): boolean {
    const realm = res.get(ATTR.REALM)?.toString('utf8');
    const nonce = res.get(ATTR.NONCE)?.toString('utf8');
    if (realm === undefined || nonce === undefined) return false;
    this.realm = realm;
    this.nonce = nonce;
    this.key = longTermKey(this.opts.username, realm, this.opts.password);
    return true;
  }

  async binding(): Promise<PeerAddress> {
    const res = await this.transact(METHOD.BINDING);
    return pick(decodeXorAddress(need(res, ATTR.XOR_MAPPED_ADDRESS), res.transactionId));
  }

  async allocate(opts: { lifetime?: number; attrs?: readonly Attr[] } = {}): Promise<PeerAddress> {
    const attrs: Attr[] = [[ATTR.REQUESTED_TRANSPORT, encodeRequestedTransport(17)], ...(opts.attrs ?? [])];
    if (opts.lifetime !== undefined) attrs.push([ATTR.LIFETIME, encodeU32(opts.lifetime)]);
    const res = await this.request(METHOD.ALLOCATE, attrs);
    this.relayed = pick(decodeXorAddress(need(res, ATTR.XOR_RELAYED_ADDRESS), res.transactionId));
    this.mapped = pick(decodeXorAddress(need(res, ATTR.XOR_MAPPED_ADDRESS), res.transactionId));
    this.lifetime = readLifetime(need(res, ATTR.LIFETIME));
    return this.relayed;
  }

  async refresh(lifetime?: number): Promise<number> {
    const res = await this.request(METHOD.REFRESH, lifetime === undefined ? [] : [[ATTR.LIFETIME, encodeU32(lifetime)]]);
    this.lifetime = readLifetime(need(res, ATTR.LIFETIME));
    return this.lifetime;
  }

  async createPermission(...ips: string[]): Promise<void> {
    await this.request(
      METHOD.CREATE_PERMISSION,
      ips.map((ip) => [ATTR.XOR_PEER_ADDRESS, this.xorPeer({ address: ip, port: 0 })]),
    );
  }

  async channelBind(peer: PeerAddress, channel = this.channelByPeer.get(peerKey(peer)) ?? this.nextChannel++): Promise<number> {
    await this.request(METHOD.CHANNEL_BIND, [
      [ATTR.CHANNEL_NUMBER, encodeChannelNumber(channel)],
      [ATTR.XOR_PEER_ADDRESS, this.xorPeer(peer)],
    ]);
    this.channelByPeer.set(peerKey(peer), channel);
    this.peerByChannel.set(channel, { ...peer });
    return channel;
  }

  /** Send indication (RFC 5766 §10.1). */
  send(peer: PeerAddress, data: Uint8Array): void {
    const ip = parseIp(peer.address);
    if (!ip) throw new TypeError(`${peer.address} is not an IP address`);
    this.sendRaw(encodeSendIndication(ip, peer.port, data));
  }

  /** ChannelData on the channel bound to `peer` (RFC 5766 §11.4), padded if asked. */
  sendChannel(peer: PeerAddress, data: Uint8Array, opts: { pad?: boolean } = {}): void {
    const channel = this.channelByPeer.get(peerKey(peer));
    if (channel === undefined) throw new Error(`no channel bound to ${peer.address}:${peer.port}`);
    this.sendRaw(encodeChannelData(channel, data, opts.pad ?? false));
  }

  /** The next relayed datagram (kept if it came earlier); rejects after `timeoutMs`. */
  nextData(timeoutMs = this.timeoutMs): Promise<TurnData> {
    return this.inbox.next(timeoutMs);
  }

  /** Starts recording relayed datagrams from now on (see DataCollector). */
  collect(): DataCollector {
    return new DataCollector(this, this.timeoutMs);
  }

  /** Resolves if nothing is relayed to this client for `ms`; rejects with what arrived. */
  async expectNoData(ms = 150): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const got = this.inbox.drain();
    if (got > 0) throw new Error(`expected no relayed data, got ${got} datagram(s)`);
  }

  close(): Promise<void> {
    if (this.closed) return this.closed;
    for (const p of [...this.pending.values()]) p.reject(new Error('TURN client closed'));
    this.closed = new Promise((resolve) => this.socket.close(() => resolve()));
    return this.closed;
  }

  private xorPeer(peer: PeerAddress): (tid: Buffer) => Buffer {
    const addr: TransportAddress = { family: isIP(peer.address) === 6 ? 6 : 4, ...peer };
    return (tid) => encodeXorAddress(addr, tid);
  }

  private onDatagram(buf: Buffer): void {
    try {
      if (buf.length > 0 && (buf[0]! & 0xc0) === 0x40) {
        const { channel, data } = decodeChannelData(buf);
        const peer = this.peerByChannel.get(channel);
        if (peer) this.events.emit('data', { peer, data, channel });
        return;
      }
      const msg = StunMessage.decode(buf);
      if (checkFingerprint(msg) === 'invalid') return;
      if (msg.cls === CLASS.SUCCESS || msg.cls === CLASS.ERROR) {
        this.pending.get(msg.transactionId.toString('hex'))?.resolve(msg);
      } else if (msg.cls === CLASS.INDICATION && msg.method === METHOD.DATA) {
        const peer = pick(decodeXorAddress(need(msg, ATTR.XOR_PEER_ADDRESS), msg.transactionId));
        this.events.emit('data', { peer, data: need(msg, ATTR.DATA), channel: null });
      }
    } catch {
      // Not for us to judge the server here: tests assert on what does arrive.
    }
  }
}

/** Relayed datagrams recorded from its creation on, each readable once through next(). */
export class DataCollector {
  readonly received: TurnData[] = [];
  private cursor = 0;
  private readonly wakers = new Set<() => void>();
  private readonly listener = (d: TurnData): void => {
    this.received.push(d);
    for (const wake of [...this.wakers]) wake();
  };

  constructor(
    private readonly client: TurnClient,
    private readonly timeoutMs: number,
  ) {
    client.on('data', this.listener);
  }

  private async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!done()) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          this.wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.wakers.add(wake);
      });
    }
    return true;
  }

  /** The next recorded datagram not yet returned by next(); rejects after `timeoutMs`. */
  async next(timeoutMs = this.timeoutMs): Promise<TurnData> {
    if (!(await this.until(() => this.cursor < this.received.length, timeoutMs))) {
      throw new Error(`no relayed datagram within ${timeoutMs} ms (${this.received.length} recorded so far)`);
    }
    return this.received[this.cursor++]!;
  }

  /** How many were recorded, once `n` are or `timeoutMs` has passed (for the caller to assert). */
  async count(n: number, timeoutMs = this.timeoutMs): Promise<number> {
    await this.until(() => this.received.length >= n, timeoutMs);
    return this.received.length;
  }

  /** Skips everything recorded so far; returns how many that was. */
  drain(): number {
    const n = this.received.length - this.cursor;
    this.cursor = this.received.length;
    return n;
  }

  stop(): void {
    this.client.off('data', this.listener);
  }
}

function need(msg: StunMessage, type: number): Buffer {
  const v = msg.get(type);
  if (!v) throw new Error(`response lacks attribute 0x${type.toString(16)}`);
  return v;
}

function pick(a: TransportAddress): PeerAddress {
  return { address: a.address, port: a.port };
}

// The STUN error code a request was refused with, or 0 when it succeeded.
export async function rejectionCode(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (err) {
    if (err instanceof TurnRequestError) return err.code;
    throw err;
  }
  return 0;
}
