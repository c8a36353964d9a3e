import DHT, { type KeyPair, type NoiseSecretStream, type Server } from 'hyperdht';
import { CopybaraError } from '../../lib/errors';
import { type HostPort, isLoopbackHost } from '../bootstrap';
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
    // reached anyway, so the DHT socket binds to loopback too.
    this._dht = new DHT({
      ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
      ...(local ? { host: '127.0.0.1', firewalled: false } : {}),
    });
  }

  async listen(onLink: (link: PeerLink) => void): Promise<void> {
    this._server = this._dht.createServer((stream: NoiseSecretStream) => {
      if (process.env.COPYBARA_DEBUG) {
        this._log(`DEBUG server got connection from ${stream.remotePublicKey.toString('hex').slice(0, 8)}`);
        stream.on('close', () => this._log('DEBUG server-side stream closed'));
        stream.on('error', (e: Error) => this._log(`DEBUG server-side stream error ${e.message}`));
        stream.on('data', (d: Buffer) => this._log(`DEBUG server-side data ${d.length}`));
      }
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
        if (process.env.COPYBARA_DEBUG) {
          this._log('DEBUG client open');
          stream.on('close', () => this._log('DEBUG client-side stream closed'));
          stream.on('error', (e: Error) => this._log(`DEBUG client-side stream error ${e.message}`));
          stream.on('data', (d: Buffer) => this._log(`DEBUG client-side data ${d.length}`));
        }
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
