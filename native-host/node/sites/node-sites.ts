import { decodeNodeId } from '../../../lib/node-id';
import { ResolveError } from '../../../lib/names/errors';
import { NameResolver } from '../../../lib/names/resolver';
import type { SiteInfo } from '../../../lib/protocol/native';
import type { Log } from '../../common/log';
import type { Profile } from '../../common/profile';
import type { Backend, NetworkName, ServiceConnection } from '../network/backend';
import { FileResolutionCache, namesCachePath } from '../names/file-cache';
import { SiteProxy } from './proxy';
import { type Published, loadPublished, savePublished, siteFilePath } from './published';
import { SitePublisher } from './publisher';
import { SiteConnections, type SiteNode } from './site-connections';

export interface NodeSitesOptions {
  profile: Profile;
  backend: Pick<Backend, 'openService'>;
  log: Log;
  nameEndpoints?: Partial<Record<'azero' | 'tzero', string[]>>;
  // Tests fix it; 0 (the default) takes any free port.
  proxyPort?: number;
}

// A node's part in sites, both ways: the proxy on 127.0.0.1 that carries this person's visits,
// and the publisher that serves the one local port they chose to publish (persisted).
export class NodeSites {
  private _published: Published | null = null;
  private _proxy: SiteProxy;
  private _connections: SiteConnections;
  private _publisher: SitePublisher;
  private _resolver: NameResolver | null = null;
  private _file: string;
  private _pushed: Partial<Record<'azero' | 'tzero', string[]>> | null = null;
  // The person's preferred network, from the browser; null: the node's own default.
  private _network: NetworkName | null = null;

  constructor(private readonly _o: NodeSitesOptions) {
    this._file = siteFilePath(_o.profile.dir);
    const log = (l: string) => _o.log(`sites: ${l}`);
    this._connections = new SiteConnections({ backend: _o.backend, log });
    this._publisher = new SitePublisher({ port: () => this._published?.port ?? null, log });
    this._proxy = new SiteProxy({ resolve: (name, signal) => this._resolve(name, signal), connections: this._connections, log });
  }

  get publishing(): boolean {
    return this._published !== null;
  }

  get proxyPort(): number | null {
    return this._proxy.port;
  }

  // Overlay connections to sites opened so far (one per site node while it is in use).
  get siteConnections(): number {
    return this._connections.opened;
  }

  async start(): Promise<void> {
    this._published = await loadPublished(this._file);
    await this._proxy.listen(this._o.proxyPort ?? 0);
    if (this._published) this._o.log(`sites: publishing 127.0.0.1:${this._published.port}`);
  }

  // The browser's endpoints, pushed on every connect: used unless the node was started with its
  // own (--endpoint, which a person gave by hand).
  useEndpoints(endpoints: Partial<Record<'azero' | 'tzero', string[]>>): void {
    if (this._o.nameEndpoints) return;
    const next = JSON.stringify(endpoints);
    if (next === JSON.stringify(this._pushed)) return;
    this._pushed = endpoints;
    const old = this._resolver;
    this._resolver = null;
    void old?.close();
  }

  // The browser's network setting, pushed with the endpoints. Connections open on the other
  // network are closed, so the next visit takes the one now preferred.
  useNetwork(network: NetworkName): void {
    if (network === this._network) return;
    this._network = network;
    this._connections.drop();
    this._o.log(`sites: names with a staex-id are visited over ${network} when both networks can reach them`);
  }

  // Closes this node's connections to sites (visits in progress end); the next visit reconnects.
  closeConnections(): void {
    this._connections.drop();
  }

  info(): SiteInfo {
    return { published: this._published ? { ...this._published } : null, proxyPort: this.proxyPort };
  }

  async publish(published: Published | null): Promise<SiteInfo> {
    await savePublished(this._file, published);
    this._published = published;
    this._o.log(published ? `sites: publishing 127.0.0.1:${published.port}` : 'sites: publishing stopped');
    return this.info();
  }

  accept(connection: ServiceConnection): void {
    if (connection.service === 'site') this._publisher.accept(connection);
    else connection.stream.destroy();
  }

  async close(): Promise<void> {
    this._publisher.close();
    this._connections.close();
    await this._proxy.close();
    await this._resolver?.close();
  }

  private async _resolve(name: string, signal: AbortSignal): Promise<SiteNode> {
    const endpoints = this._o.nameEndpoints ?? this._pushed;
    this._resolver ??= new NameResolver({
      ...(endpoints ? { endpoints } : {}),
      cache: new FileResolutionCache(namesCachePath(this._o.profile.dir)),
    });
    const res = await this._resolver.resolve(name, signal);
    const { nodeId, staexId } = res.records;
    // A Staex id names a machine, not the Copybara key to expect there (see staex.ts): without
    // the key nothing could be checked, so nothing is opened.
    if (!nodeId) throw staexId ? ResolveError.onlyStaexId(name) : ResolveError.noNodeId(name, 'copybara-id');
    return { key: Buffer.from(decodeNodeId(nodeId)), peer: { staexId, network: this._network } };
  }
}
