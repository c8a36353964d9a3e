import DHT, { type KeyPair, type NoiseSecretStream, type RelayThrough, type Server } from 'hyperdht';
import { CopybaraError } from '../../../lib/errors';
import { type HostPort, isLoopbackHost } from '../../common/bootstrap';
import { type Log, rateLimitedLog } from '../../common/log';
import type { Backend, PeerLink } from './backend';
import { classifyConnectFailure } from './connect-failure';
import { ALL_LINKS_LOG, type LinkLimits } from './link-limits';
import type { RelayChooser } from './relay-finder';
import { StreamLink } from './stream-link';

// Overlay media arrives on the DHT's UDP sockets (udx), whose kernel buffers default to
// ~200 KB: a video keyframe burst arriving while the event loop is busy, or while the
// process waits for a CPU on a loaded machine, overflows that and is lost. The same
// headroom as the TURN socket on the browser side.
const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;

interface SizableSocket {
  setRecvBufferSize?(size: number): number;
  setSendBufferSize?(size: number): number;
}

// HyperDHT does not expose its sockets in its API; they are dht-rpc's io.serverSocket
// (which carries the direct connections) and io.clientSocket. Best effort: if a version
// moves them, the defaults apply and nothing else changes.
function enlargeSocketBuffers(dht: DHT): void {
  const io = (dht as unknown as { io?: { serverSocket?: SizableSocket | null; clientSocket?: SizableSocket | null } }).io;
  for (const socket of [io?.serverSocket, io?.clientSocket]) {
    try {
      socket?.setRecvBufferSize?.(SOCKET_BUFFER_BYTES);
      socket?.setSendBufferSize?.(SOCKET_BUFFER_BYTES);
    } catch {
      // Not bound yet or refused by the OS: the defaults still work, with less headroom.
    }
  }
}

export interface HyperdhtOptions {
  keyPair: KeyPair;
  // null: HyperDHT's public bootstrap nodes.
  bootstrap: HostPort[] | null;
  log: Log;
  // Tests lower or lift them; the defaults are for real calls.
  linkLimits?: Partial<LinkLimits>;
  // Private mode, off unless given: every connection, made or answered, goes through this blind
  // relay (a key, or a function HyperDHT asks per connection, e.g. a RelayChooser's pick), and
  // the server neither holepunches nor tells callers its local addresses, so a peer sees only
  // the relay's address. Not given: direct connections (holepunching) as always.
  relayThrough?: RelayThrough;
  // Told how a connection made in private mode went, so a chooser can demote a relay that failed.
  relayFeedback?: { failed(): void; worked(): void };
}

// The embedded network. One DHT node per local node; its server announces our key, and
// connect() finds a key through the DHT and holepunches to it.
export class HyperdhtBackend implements Backend {
  readonly name = 'hyperdht';
  private _dht: DHT;
  private _server: Server | null = null;
  private _keyPair: KeyPair;
  // What links log about their peers, limited for all links together.
  private _peerLog: Log;
  private _linkLimits: Partial<LinkLimits>;
  private _closing: Promise<void> | null = null;
  private _relayThrough: RelayThrough;
  private _relayFeedback: HyperdhtOptions['relayFeedback'];

  constructor(opts: HyperdhtOptions) {
    this._keyPair = opts.keyPair;
    this._peerLog = rateLimitedLog(opts.log, ALL_LINKS_LOG.perSecond, ALL_LINKS_LOG.burst);
    this._linkLimits = opts.linkLimits ?? {};
    this._relayThrough = opts.relayThrough ?? null;
    this._relayFeedback = opts.relayFeedback;
    const local = opts.bootstrap !== null && opts.bootstrap.every((b) => isLoopbackHost(b.host));
    // With only loopback bootstrap nodes (tests, demo) nothing outside this machine can be
    // reached anyway, so the DHT socket binds to loopback too, and it is not firewalled
    // there: left to probe, a fresh node sometimes took the holepunch path, which on
    // loopback can report a connection open that the other side never sees.
    // In private mode the node never claims to be reachable directly, even there: an open node
    // is dialled straight at its address, which is what private mode is for not revealing.
    const open = local && this._relayThrough === null;
    this._dht = new DHT({
      ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
      ...(local ? { host: '127.0.0.1' } : {}),
      ...(open ? { firewalled: false } : {}),
    });
  }

  // The DHT node itself, for reading its state (network-state.ts), never for connecting.
  get dht(): DHT {
    return this._dht;
  }

  get port(): number | null {
    return this._server === null || this._dht.destroyed ? null : this._dht.address().port;
  }

  async listen(onLink: (link: PeerLink) => void): Promise<void> {
    const onStream = (stream: NoiseSecretStream) => {
      onLink(new StreamLink(stream, this._peerLog, { limits: this._linkLimits }));
    };
    this._server =
      this._relayThrough === null
        ? this._dht.createServer(onStream)
        : this._dht.createServer({ holepunch: false, shareLocalAddress: false, relayThrough: this._relayThrough }, onStream);
    await this._server.listen(this._keyPair);
    // Listening implies the DHT is bound, so both sockets exist now.
    enlargeSocketBuffers(this._dht);
  }

  connect(remoteKey: Buffer, signal: AbortSignal): Promise<PeerLink> {
    return new Promise((resolve, reject) => {
      const stream = this._dht.connect(
        remoteKey,
        this._relayThrough === null ? { keyPair: this._keyPair } : { keyPair: this._keyPair, relayThrough: this._relayThrough },
      );
      const link = new StreamLink(stream, this._peerLog, { limits: this._linkLimits });
      const onabort = () => {
        stream.destroy();
        reject(CopybaraError.UNREACHABLE(String(signal.reason ?? 'cancelled')));
      };
      const cleanup = () => {
        signal.removeEventListener('abort', onabort);
        stream.off('open', onopen);
        stream.off('error', onerror);
      };
      const onopen = () => {
        cleanup();
        if (this._relayThrough !== null) this._relayFeedback?.worked();
        resolve(link);
      };
      const onerror = (err: Error & { code?: string }) => {
        cleanup();
        if (this._relayThrough !== null && classifyConnectFailure(err, { relayed: true }) === 'relay') this._relayFeedback?.failed();
        // HyperDHT's error rides along as the cause: the dialer reads its code to decide whether to look again.
        reject(Object.assign(CopybaraError.UNREACHABLE(err.code ? `${err.code}: ${err.message}` : err.message), { cause: err }));
      };
      if (signal.aborted) return onabort();
      signal.addEventListener('abort', onabort, { once: true });
      stream.on('open', onopen);
      stream.on('error', onerror);
    });
  }

  // Private mode's discovery runs on this node's DHT: relays announcing the topic, probed.
  discoverRelays(chooser: RelayChooser, signal?: AbortSignal): Promise<number> {
    return chooser.discover(this._dht, signal);
  }

  close(): Promise<void> {
    this._closing ??= (async () => {
      await this._server?.close();
      await this._dht.destroy();
    })();
    return this._closing;
  }
}
