import DHT, { type KeyPair, type NoiseSecretStream, type Server } from 'hyperdht';
import { CopybaraError } from '../../../lib/errors';
import { type HostPort, isLoopbackHost } from '../../common/bootstrap';
import type { Backend, PeerLink } from './backend';
import { StreamLink } from './stream-link';

type Log = (line: string) => void;

export interface HyperdhtOptions {
  keyPair: KeyPair;
  // null: HyperDHT's public bootstrap nodes.
  bootstrap: HostPort[] | null;
  log: Log;
}

// The embedded network. One DHT node per local node; its server announces our key, and
// connect() finds a key through the DHT and holepunches to it.
export class HyperdhtBackend implements Backend {
  readonly name = 'hyperdht';
  private _dht: DHT;
  private _server: Server | null = null;
  private _keyPair: KeyPair;
  private _log: Log;
  private _closing: Promise<void> | null = null;

  constructor(opts: HyperdhtOptions) {
    this._keyPair = opts.keyPair;
    this._log = opts.log;
    const local = opts.bootstrap !== null && opts.bootstrap.every((b) => isLoopbackHost(b.host));
    // With only loopback bootstrap nodes (tests, demo) nothing outside this machine can be
    // reached anyway, so the DHT socket binds to loopback too, and it is not firewalled
    // there: left to probe, a fresh node sometimes took the holepunch path, which on
    // loopback can report a connection open that the other side never sees.
    this._dht = new DHT({
      ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
      ...(local ? { host: '127.0.0.1', firewalled: false } : {}),
    });
  }

  get port(): number | null {
    return this._server === null || this._dht.destroyed ? null : this._dht.address().port;
  }

  async listen(onLink: (link: PeerLink) => void): Promise<void> {
    this._server = this._dht.createServer((stream: NoiseSecretStream) => {
      onLink(new StreamLink(stream, this._log));
    });
    await this._server.listen(this._keyPair);
  }

  connect(remoteKey: Buffer, signal: AbortSignal): Promise<PeerLink> {
    return new Promise((resolve, reject) => {
      const stream = this._dht.connect(remoteKey, { keyPair: this._keyPair });
      const link = new StreamLink(stream, this._log);
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
        resolve(link);
      };
      const onerror = (err: Error & { code?: string }) => {
        cleanup();
        reject(CopybaraError.UNREACHABLE(err.code ? `${err.code}: ${err.message}` : err.message));
      };
      if (signal.aborted) return onabort();
      signal.addEventListener('abort', onabort, { once: true });
      stream.on('open', onopen);
      stream.on('error', onerror);
    });
  }

  close(): Promise<void> {
    this._closing ??= (async () => {
      await this._server?.close();
      await this._dht.destroy();
    })();
    return this._closing;
  }
}
