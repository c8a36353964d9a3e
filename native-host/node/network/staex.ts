import { type Socket as UdpSocket, createSocket } from 'node:dgram';
import { type Server, type Socket, createServer, connect as tcpConnect } from 'node:net';
import SecretStream from '@hyperswarm/secret-stream';
import type { KeyPair, NoiseSecretStream } from 'hyperdht';
import { encodeNodeId } from '../../../lib/node-id';
import { type Log, rateLimitedLog } from '../../common/log';
import type { Backend, FramedStream, PeerAddress, PeerLink, Route, ServiceConnection } from './backend';
import { PeerUnreachable } from './connect-failure';
import { DatagramHub } from './datagram-hub';
import { ALL_LINKS_LOG, type LinkLimits } from './link-limits';
import type { Mcc } from './mcc';
import { MccError } from './mcc-output';
import { type ServiceName, encodePreamble } from './service-preamble';
import { enlargeBuffers } from './socket-buffers';
import { StreamLink } from './stream-link';

// The Staex network (mcc-public): `mcc` finds a node by its Staex id and gives its node-local
// IPv4 address; this backend then talks to the peer node's Copybara port there: signalling
// over TCP, media as UDP datagrams, both from our own Staex address (never 0.0.0.0, so
// nothing outside the Staex network reaches the port).
//
// Inside, the same Noise handshake and secret-stream encryption as on HyperDHT, with the
// node's own key pair: the Staex tunnel says which Staex node is at an address, but not which
// Copybara key runs there, and its encryption is closed source. The handshake proves the
// Copybara key on both ends; a caller hangs up unless it is the key it called, which it took
// from the same name record as the Staex id (the record's owner binds the two).

// Every node listens on this port at its Staex address (`--staex-port` or COPYBARA_STAEX_PORT
// to change it; both ends must agree, which is why it is fixed rather than announced).
export const DEFAULT_STAEX_PORT = 47_410;
// A connection that has not finished its handshake by then is dropped.
const HANDSHAKE_TIMEOUT_MS = 10_000;
// Handshakes in progress at once; more are refused (a stranger cannot queue unlimited ones).
const MAX_PENDING = 32;
// How often our own Staex address is checked: mcc may hand out another one after a restart.
const ADDRESS_CHECK_MS = 60_000;
// Each end sends an empty encrypted message after this long without sending anything (what
// HyperDHT does on its streams), and closes a stream that has received nothing for
// STALL_TIMEOUT_MS: over TCP a peer that vanished without a word is otherwise noticed only after
// minutes of retransmissions, and a site connection to it would hold its visitors that long.
const KEEP_ALIVE_MS = 5_000;
const STALL_TIMEOUT_MS = 30_000;

export interface StaexOptions {
  keyPair: KeyPair;
  mcc: Mcc;
  port: number;
  // Our Staex address when given (`--staex-address`): for an mcc that does not resolve its
  // own id. Absent: `mcc resolve` of our own id, checked again every minute.
  address?: string | null;
  log: Log;
  linkLimits?: Partial<LinkLimits>;
  handshakeTimeoutMs?: number;
  addressCheckMs?: number;
  // Tests shorten them; see KEEP_ALIVE_MS.
  keepAliveMs?: number;
  stallTimeoutMs?: number;
}

const STAEX_ROUTE: Route = { relay: null, network: 'staex' };

export class StaexBackend implements Backend {
  readonly name = 'staex';
  // Ours, once listening.
  staexId: string | null = null;
  address: string | null = null;
  private _o: StaexOptions;
  private _peerLog: Log;
  private _tcp: Server | null = null;
  private _udp: UdpSocket | null = null;
  private _hub: DatagramHub | null = null;
  private _sockets = new Set<Socket>();
  private _pending = 0;
  private _onLink: ((link: PeerLink) => void) | null = null;
  private _onService: ((connection: ServiceConnection) => void) | null = null;
  private _check: NodeJS.Timeout | null = null;
  private _closed = false;

  constructor(opts: StaexOptions) {
    this._o = opts;
    this._peerLog = rateLimitedLog(opts.log, ALL_LINKS_LOG.perSecond, ALL_LINKS_LOG.burst);
  }

  get port(): number | null {
    return this._tcp && this._udp ? this._o.port : null;
  }

  // Asks mcc who and where we are and listens there; throws MccError saying why Staex cannot
  // be used (mcc absent, stopped, refused), or the bind's error. Connections for a service
  // (a site) go to `onService`, as on HyperDHT; without it they are refused.
  async listen(onLink: (link: PeerLink) => void, onService?: (connection: ServiceConnection) => void): Promise<void> {
    this._onLink = onLink;
    this._onService = onService ?? null;
    const id = await this._o.mcc.id();
    const fixed = this._o.address ?? null;
    const address = fixed ?? (await this._o.mcc.resolve(id));
    await this._bind(address);
    this.staexId = id;
    this.address = address;
    if (fixed === null) this._armCheck();
  }

  // The next check starts only once this one has finished: a slow mcc never piles them up.
  private _armCheck(): void {
    if (this._closed) return;
    this._check = setTimeout(() => void this._recheck().finally(() => this._armCheck()), this._o.addressCheckMs ?? ADDRESS_CHECK_MS);
    this._check.unref();
  }

  async connect(remoteKey: Buffer, signal: AbortSignal, peer?: PeerAddress): Promise<PeerLink> {
    const stream = await this._open(remoteKey, signal, peer);
    return new StreamLink(stream, this._peerLog, { limits: this._o.linkLimits ?? {}, route: STAEX_ROUTE });
  }

  // The same connection as a call's, found and checked the same way; its first message names
  // the service, and what runs on it (the site mux) comes after.
  async openService(remoteKey: Buffer, service: ServiceName, signal: AbortSignal, peer?: PeerAddress): Promise<ServiceConnection> {
    const stream = await this._open(remoteKey, signal, peer);
    stream.write(encodePreamble(service));
    return { remoteKey, route: STAEX_ROUTE, service, stream: stream as unknown as FramedStream };
  }

  // An encrypted stream to the node with this key at the address mcc gives for its Staex id;
  // PeerUnreachable when there is none, nobody answers there, or another key does.
  private async _open(remoteKey: Buffer, signal: AbortSignal, peer?: PeerAddress): Promise<NoiseSecretStream> {
    const peerId = encodeNodeId(remoteKey).slice(0, 8);
    const staexId = peer?.staexId;
    if (!staexId) throw new PeerUnreachable('unknown', `no Staex id is known for node ${peerId}… (its name has no staex-id record)`);
    if (this._closed || !this._hub || !this.address) throw new PeerUnreachable('unknown', 'the Staex network is not up on this node');
    const local = this.address;
    let host: string;
    try {
      host = await this._o.mcc.resolve(staexId);
    } catch (err) {
      // mcc not finding the node is how an offline node looks: worth looking again.
      if (err instanceof MccError) throw new PeerUnreachable(err.kind === 'failed' ? 'offline' : 'unknown', err.message);
      throw err;
    }
    if (host === local) throw new PeerUnreachable('refused', `mcc gives Staex id ${staexId.slice(0, 8)}… our own address ${host}`);
    const socket = await this._dial(host, local, signal);
    const stream = this._secure(true, socket, host);
    await this._handshake(stream, signal);
    if (!stream.remotePublicKey.equals(remoteKey)) {
      stream.destroy();
      const other = encodeNodeId(stream.remotePublicKey).slice(0, 8);
      throw new PeerUnreachable(
        'refused',
        `node ${other}… answered at ${host} (Staex id ${staexId.slice(0, 8)}…), not node ${peerId}… that was called`,
      );
    }
    return stream;
  }

  async close(): Promise<void> {
    this._closed = true;
    if (this._check) clearTimeout(this._check);
    await this._unbind();
  }

  private async _bind(address: string): Promise<void> {
    const { port } = this._o;
    const udp = createSocket({ type: 'udp4', exclusive: true } as Parameters<typeof createSocket>[0]);
    const tcp = createServer({ noDelay: true }, (socket) => this._accept(socket));
    tcp.maxConnections = 256;
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      udp.close();
      tcp.close();
      throw err;
    }
    enlargeBuffers(udp);
    udp.on('error', (err) => this._o.log(`staex: udp ${address}:${port}: ${err.message}`));
    this._udp = udp;
    this._tcp = tcp;
    this._hub = new DatagramHub(udp, port);
  }

  private async _unbind(): Promise<void> {
    for (const s of this._sockets) s.destroy();
    this._sockets.clear();
    const tcp = this._tcp;
    const udp = this._udp;
    this._tcp = null;
    this._udp = null;
    this._hub = null;
    await Promise.all([
      new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (udp ? udp.close(() => resolve()) : resolve())),
    ]);
  }

  // mcc may give this node another address (a restart, a changed network): listen there
  // instead. Calls on the old address lose their links and redial, which resolves afresh.
  private async _recheck(): Promise<void> {
    let address: string;
    try {
      address = await this._o.mcc.resolve(this.staexId!);
    } catch (err) {
      this._o.log(`staex: checking our address failed: ${(err as Error).message}`);
      return;
    }
    if (this._closed || address === this.address) return;
    this._o.log(`staex: our address moved from ${this.address} to ${address}; listening there`);
    await this._unbind();
    try {
      await this._bind(address);
      this.address = address;
    } catch (err) {
      this.address = null;
      this._o.log(`staex: cannot listen on ${address}: ${(err as Error).message}`);
    }
  }

  private _accept(socket: Socket): void {
    const host = socket.remoteAddress;
    if (this._closed || !host || this._pending >= MAX_PENDING) {
      socket.destroy();
      return;
    }
    this._pending++;
    const stream = this._secure(false, socket, host);
    this._handshake(stream, null).then(
      () => {
        this._pending--;
        // A service's connection (its first message says so) leaves the link for onService.
        const onService = this._onService;
        this._onLink?.(
          new StreamLink(stream, this._peerLog, {
            limits: this._o.linkLimits ?? {},
            route: STAEX_ROUTE,
            onService: (service, s) => {
              if (onService) onService({ remoteKey: s.remotePublicKey, route: STAEX_ROUTE, service, stream: s as unknown as FramedStream });
              else s.destroy();
            },
          }),
        );
      },
      (err: Error) => {
        this._pending--;
        this._peerLog(`staex: a connection from ${host} failed its handshake: ${err.message}`);
      },
    );
  }

  private _dial(host: string, localAddress: string, signal: AbortSignal): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = tcpConnect({ host, port: this._o.port, localAddress, noDelay: true });
      const done = (err: Error | null) => {
        signal.removeEventListener('abort', onabort);
        socket.off('connect', onconnect);
        socket.off('error', onerror);
        if (err) {
          socket.destroy();
          reject(err);
        } else resolve(socket);
      };
      const onabort = () => done(new PeerUnreachable('unknown', String(signal.reason ?? 'cancelled')));
      const onconnect = () => done(null);
      // Refused or unreachable: nobody listens there (yet), which is how an offline node looks.
      const onerror = (err: Error & { code?: string }) =>
        done(new PeerUnreachable('offline', `${host}:${this._o.port} over Staex: ${err.code ?? err.message}`));
      if (signal.aborted) return onabort();
      signal.addEventListener('abort', onabort, { once: true });
      socket.once('connect', onconnect);
      socket.once('error', onerror);
    });
  }

  private _secure(initiator: boolean, socket: Socket, host: string): NoiseSecretStream {
    this._sockets.add(socket);
    socket.once('close', () => this._sockets.delete(socket));
    // A socket error reaches the secret stream, which closes the link with it.
    const raw = this._hub!.attach(socket, host);
    const stream = new SecretStream(initiator, raw, { keyPair: this._o.keyPair, keepAlive: this._o.keepAliveMs ?? KEEP_ALIVE_MS });
    stream.setTimeout(this._o.stallTimeoutMs ?? STALL_TIMEOUT_MS);
    return stream;
  }

  private _handshake(stream: NoiseSecretStream, signal: AbortSignal | null): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail('no handshake within the time limit'), this._o.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS);
      const onabort = () => fail(String(signal?.reason ?? 'cancelled'));
      const fail = (why: string) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onabort);
        stream.destroy();
        reject(new PeerUnreachable('unknown', why));
      };
      signal?.addEventListener('abort', onabort, { once: true });
      // A stream that fails before opening also emits 'error'; `opened` says false then.
      stream.on('error', () => {});
      void stream.opened.then((ok) => {
        if (!ok) return fail('the encrypted handshake failed');
        clearTimeout(timer);
        signal?.removeEventListener('abort', onabort);
        resolve();
      });
    });
  }
}
