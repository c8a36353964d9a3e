import { encodeNodeId } from '../../../lib/node-id';
import type { Log } from '../../common/log';
import type { Backend, PeerAddress } from '../network/backend';
import { type MuxLimits, SiteMux } from './mux';
import { type Pace, siteStream } from './paced-stream';

// One overlay connection per site node, shared by every visitor TCP connection to it: opened
// on the first request, kept while streams use it, closed a while after the last one ends.
// A failed dial is not remembered, so the next request tries again.

// A site node as its name describes it: the key, and what else the name says of it (its Staex
// id, and the network the person prefers), which picks the network the connection takes.
export interface SiteNode {
  key: Buffer;
  peer?: PeerAddress;
}

export interface SiteConnectionsOptions {
  backend: Pick<Backend, 'openService'>;
  log: Log;
  limits?: Partial<MuxLimits>;
  // How long a dial may take, and how long a connection with no stream stays open.
  dialTimeoutMs?: number;
  idleCloseMs?: number;
  // How fast this side sends through a relay (absent: RELAYED_SITE_PACE).
  pace?: Pace;
}

export class SiteConnections {
  private _muxes = new Map<string, Promise<SiteMux>>();
  private _closed = false;
  // How many overlay connections were opened, for tests and `status`.
  opened = 0;

  constructor(private readonly _o: SiteConnectionsOptions) {}

  get size(): number {
    return this._muxes.size;
  }

  get(node: SiteNode): Promise<SiteMux> {
    const hex = node.key.toString('hex');
    const known = this._muxes.get(hex);
    if (known) return known;
    const dial = this._dial(node, hex);
    this._muxes.set(hex, dial);
    dial.catch(() => {
      if (this._muxes.get(hex) === dial) this._muxes.delete(hex);
    });
    return dial;
  }

  // Closes every connection; the next request opens a new one (decided afresh by the path
  // rules on both sides).
  drop(): void {
    for (const m of this._muxes.values())
      m.then(
        (mux) => mux.close(),
        () => {},
      );
    this._muxes.clear();
  }

  close(): void {
    this._closed = true;
    this.drop();
  }

  private async _dial({ key, peer }: SiteNode, hex: string): Promise<SiteMux> {
    const signal = AbortSignal.timeout(this._o.dialTimeoutMs ?? 15_000);
    const connection = await this._o.backend.openService(key, 'site', signal, peer);
    if (this._closed) {
      connection.stream.destroy();
      throw new Error('the node is stopping');
    }
    this.opened++;
    // Uploads through a relay are paced as the publisher paces downloads.
    const stream = siteStream(connection, this._o.pace);
    const mux = new SiteMux(stream, this._o.limits ? { limits: this._o.limits } : {});
    const shown = encodeNodeId(key).slice(0, 8);
    this._o.log(`site connection to ${shown}… open over ${connection.route?.network ?? 'hyperdht'}`);
    let idle: NodeJS.Timeout | null = null;
    mux.on('idle', () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(() => {
        if (mux.streams === 0) mux.close();
      }, this._o.idleCloseMs ?? 60_000);
      idle.unref();
    });
    mux.once('close', () => {
      if (idle) clearTimeout(idle);
      this._o.log(`site connection to ${shown}… closed`);
      const current = this._muxes.get(hex);
      void current?.then((m) => {
        if (m === mux && this._muxes.get(hex) === current) this._muxes.delete(hex);
      });
    });
    return mux;
  }
}
