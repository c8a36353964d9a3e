import { connect } from 'node:net';
import type { Log } from '../../common/log';
import type { ServiceConnection } from '../network/backend';
import { type MuxLimits, SiteMux, type SiteStream } from './mux';
import { type Pace, siteStream } from './paced-stream';

// The publishing side: visitors' streams, each joined to one new TCP connection to the
// published port on 127.0.0.1, and nowhere else — a visitor names no host or port, so it can
// make this node connect to nothing but the site. The site sees every request come from
// 127.0.0.1. Before any byte of the site, each stream starts with one byte saying how it went.

export const SITE_OPEN = 0;
export const NO_SITE = 1;
export const SITE_DOWN = 2;
export type StreamStatus = typeof SITE_OPEN | typeof NO_SITE | typeof SITE_DOWN;

export interface PublisherOptions {
  // The published port, or null when nothing is published (read for each stream).
  port(): number | null;
  log: Log;
  limits?: Partial<MuxLimits>;
  // Visitors' overlay connections at once; more are closed on arrival.
  maxConnections?: number;
  // How fast the site's answers go out through a relay (absent: RELAYED_SITE_PACE).
  pace?: Pace;
}

export class SitePublisher {
  private _muxes = new Set<SiteMux>();

  constructor(private readonly _o: PublisherOptions) {}

  get connections(): number {
    return this._muxes.size;
  }

  accept(connection: ServiceConnection): void {
    if (this._muxes.size >= (this._o.maxConnections ?? 64)) {
      this._o.log('a site visitor was turned away: too many visitors connected');
      connection.stream.destroy();
      return;
    }
    // Through a relay, what goes out is paced under the rate every relay carries, so a large
    // download is slowed rather than cut by the relay; a direct connection is not paced.
    const stream = siteStream(connection, this._o.pace);
    const mux = new SiteMux(stream, {
      ...(this._o.limits ? { limits: this._o.limits } : {}),
      onStream: (s) => this._serve(s),
    });
    this._muxes.add(mux);
    mux.once('close', () => this._muxes.delete(mux));
  }

  close(): void {
    for (const m of this._muxes) m.close();
  }

  private _serve(stream: SiteStream): void {
    stream.on('error', () => {});
    const port = this._o.port();
    if (port === null) return void stream.end(Buffer.from([NO_SITE]));
    // No Nagle, as on the proxy: requests go on in the pieces they arrive in.
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let open = false;
    socket.once('connect', () => {
      open = true;
      stream.write(Buffer.from([SITE_OPEN]));
      socket.pipe(stream);
      stream.pipe(socket);
    });
    socket.on('error', () => {
      if (!open) stream.end(Buffer.from([SITE_DOWN]));
      else stream.destroy();
    });
    socket.on('close', () => {
      if (open && !stream.writableEnded) stream.end();
    });
    stream.on('close', () => socket.destroy());
  }
}
