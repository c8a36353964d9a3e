import type { Server } from 'node:net';
import { CopybaraError, toErrorInfo } from '../../lib/errors';
import { decodeNodeId, encodeNodeId } from '../../lib/node-id';
import { NATIVE_VERSION, type NodeEvent, type NodeStatus, type RequestFrame, decodeRequest } from '../../lib/protocol/native';
import type { HostPort } from '../common/bootstrap';
import { CallManager, type Timing } from './calls/call-manager';
import { Invitations } from './calls/invitations';
import { type Identity, loadIdentity } from './identity';
import { type LocalClient, listenLocal } from './local-socket';
import { acquireLock } from './lock';
import type { Log } from '../common/log';
import type { NetworkName } from './network/backend';
import { HyperdhtBackend } from './network/hyperdht';
import { Mcc } from './network/mcc';
import { Networks } from './network/networks';
import { StaexBackend } from './network/staex';
import { NetworkWatch, describeNetworkState } from './network/network-state';
import { PathPolicy } from './network/path-policy';
import { RelayChooser, keepDiscovering } from './network/relay-finder';
import { rankRelays } from './network/relays';
import { type Profile, ensureProfile } from '../common/profile';
import type { PublishServer } from './publish/server';
import { NodeSites } from './sites/node-sites';
import { TurnServer } from './turn/server';
import { VERSION } from '../common/version';

export interface NodeOptions {
  profile: Profile;
  bootstrap: HostPort[] | null;
  log: Log;
  // Exit this long after the last bridge left with no call in progress; null: never.
  idleExitMs: number | null;
  timing?: Partial<Timing>;
  // Private mode (off when absent or null): connect and answer only through blind relays, these
  // pinned ones first, then relays found by the relay topic. The CLI turns it on unless --direct.
  relays?: { pinned: Buffer[] } | null;
  // The Staex network: the mcc command and the Copybara port on Staex addresses; null or absent:
  // not used. Calls prefer `network` (default HyperDHT) when the callee can be reached on both.
  // `timeoutMs`: how long one mcc command may take (tests on a loaded machine lift it).
  staex?: { command: string[]; port: number; address?: string | null; timeoutMs?: number } | null;
  network?: NetworkName;
  // The chain endpoints the site proxy looks names up on (absent: the public ones).
  nameEndpoints?: Partial<Record<'azero' | 'tzero', string[]>>;
}

// The long-running node of one profile: identity, TURN relay, network, calls, and the local
// socket the browser's bridges attach to.
export class CopybaraNode {
  identity: Identity | null = null;
  turn: TurnServer | null = null;
  backend: HyperdhtBackend | null = null;
  // Both networks behind the one backend the calls use.
  networks: Networks | null = null;
  calls: CallManager | null = null;
  invitations: Invitations | null = null;
  // The network state shown in the popup; its changes go to every bridge.
  network: NetworkWatch | null = null;
  // Sites: the proxy visitors' browsers use, and what this node publishes.
  sites: NodeSites | null = null;
  readonly clients = new Set<LocalClient>();
  private _o: NodeOptions;
  private _server: Server | null = null;
  private _unlock: (() => Promise<void>) | null = null;
  // Started on the first `publish-open` only: most nodes never publish.
  private _publish: Promise<PublishServer> | null = null;
  private _idleTimer: NodeJS.Timeout | null = null;
  private _relays: RelayChooser | null = null;
  private _paths: PathPolicy | null = null;
  private _stopDiscovery: (() => void) | null = null;
  private _closing: Promise<void> | null = null;
  private _closed: () => void = () => {};
  // Resolves once close() has finished, whoever called it (a signal, `shutdown`, idle exit).
  readonly done = new Promise<void>((resolve) => (this._closed = resolve));

  constructor(opts: NodeOptions) {
    this._o = opts;
  }

  async start(): Promise<void> {
    const { profile, log } = this._o;
    await ensureProfile(profile);
    this._unlock = await acquireLock(profile.lockFile);
    try {
      this.identity = await loadIdentity(profile);
      this.turn = new TurnServer({ log: (l) => log(`turn: ${l}`) });
      await this.turn.listen();
      this.invitations = new Invitations(profile.invitationsFile, this.identity.secretKey);
      await this.invitations.load(Math.floor(Date.now() / 1000));
      const invitations = this.invitations;
      const chooser = this._o.relays ? new RelayChooser(this._o.relays.pinned) : null;
      this._relays = chooser;
      this._paths = chooser
        ? new PathPolicy({
            private: true,
            relay: () => chooser.pick(),
            acceptsOffer: (relay) => chooser.acceptsOffer(relay),
            linkAdmits: (nodeId) => invitations.admitsCaller(nodeId, Math.floor(Date.now() / 1000)),
            admitsStrangers: () => this.sites?.publishing ?? false,
          })
        : null;
      this.backend = new HyperdhtBackend({
        keyPair: { publicKey: this.identity.publicKey, secretKey: this.identity.secretKey },
        bootstrap: this._o.bootstrap,
        log,
        ...(chooser && this._paths ? { privacy: { paths: this._paths, relays: chooser } } : {}),
      });
      const staex = this._o.staex;
      this.networks = new Networks({
        hyperdht: this.backend,
        staex: staex
          ? new StaexBackend({
              keyPair: { publicKey: this.identity.publicKey, secretKey: this.identity.secretKey },
              mcc: new Mcc({ command: staex.command, ...(staex.timeoutMs ? { timeoutMs: staex.timeoutMs } : {}) }),
              port: staex.port,
              address: staex.address ?? null,
              log,
            })
          : null,
        prefer: this._o.network ?? 'hyperdht',
        log,
        onChange: () =>
          this._broadcast({
            event: 'network',
            network: this.network?.state ?? { kind: 'connecting' },
            networks: { prefer: this.networks!.prefer, list: this.networks!.list(this.identity!.nodeId) },
          }),
      });
      this.calls = new CallManager({
        invitations: this.invitations,
        backend: this.networks,
        turn: this.turn,
        publicKey: this.identity.publicKey,
        emit: (e) => this._broadcast(e),
        log,
        ...(this._o.timing ? { timing: this._o.timing } : {}),
      });
      const calls = this.calls;
      this.sites = new NodeSites({
        profile,
        backend: this.networks,
        log,
        ...(this._o.nameEndpoints ? { nameEndpoints: this._o.nameEndpoints } : {}),
      });
      await this.sites.start();
      const sites = this.sites;
      await this.networks.listen(
        (link) => calls.accept(link),
        (connection) => sites.accept(connection),
      );
      this.network = new NetworkWatch({
        dht: this.backend.dht,
        ...(chooser ? { relays: () => chooser.entries.length } : {}),
        onChange: (network) => {
          log(`network: ${describeNetworkState(network)}`);
          this._broadcast({ event: 'network', network });
        },
      });
      log(`network: ${describeNetworkState(this.network.state)}`);
      if (chooser) {
        // In the background: pinned relays work at once, found ones join as they answer.
        const backend = this.backend;
        // Each round may change how many relays the popup is told about.
        const discover = () => backend.discoverRelays(chooser).finally(() => this.network?.update());
        this._stopDiscovery = keepDiscovering(discover, chooser, log);
      }
      this._server = await listenLocal(
        profile.socketPath,
        {
          onConnect: (c) => this._onconnect(c),
          onDisconnect: (c) => this._ondisconnect(c),
          onMessage: (c, m) => this._onmessage(c, m),
        },
        log,
      );
    } catch (err) {
      await this.close();
      throw err;
    }
    log(
      `node ${this.identity.nodeId} ready (turn 127.0.0.1:${this.turn.port}, site proxy 127.0.0.1:${this.sites.proxyPort}, socket ${profile.socketPath})`,
    );
    this._armIdle();
  }

  status(): NodeStatus {
    return {
      nodeId: this.identity!.nodeId,
      version: VERSION,
      backend: this.backend!.name,
      turnPort: this.turn!.port,
      dhtPort: this.backend!.port,
      proxyPort: this.sites?.proxyPort ?? null,
      calls: this.calls!.list(),
      network: this.network?.state ?? { kind: 'connecting' },
      networks: { prefer: this.networks!.prefer, list: this.networks!.list(this.identity!.nodeId) },
      privacy: {
        private: this._relays !== null,
        directContacts: this._paths?.directCount ?? 0,
        relays: rankRelays(this._relays?.entries ?? [], Date.now())
          .slice(0, 64)
          .map((e) => ({
            key: encodeNodeId(Buffer.from(e.key, 'hex')),
            pinned: e.pinned,
            rttMs: e.rttMs === null ? null : Math.round(e.rttMs),
            failures: e.failures,
          })),
      },
    };
  }

  close(): Promise<void> {
    this._closing ??= (async () => {
      if (this._idleTimer) clearTimeout(this._idleTimer);
      this._stopDiscovery?.();
      const calls = this.calls?.close();
      this.network?.close();
      await this.sites?.close();
      for (const c of this.clients) c.close();
      await new Promise<void>((resolve) => (this._server ? this._server.close(() => resolve()) : resolve()));
      await this._publish?.then(
        (p) => p.close(),
        () => {},
      );
      await (this.networks ?? this.backend)?.close();
      await calls;
      await this.turn?.close();
      await this.invitations?.flush();
      await this._unlock?.();
      this._o.log('node stopped');
      this._closed();
    })();
    return this._closing;
  }

  // Logged because a ring reaches only attached browsers: the log then says whether one was.
  private _onconnect(client: LocalClient): void {
    this.clients.add(client);
    this._o.log(`a bridge or command attached (${this.clients.size} attached)`);
    this._armIdle();
  }

  private _ondisconnect(client: LocalClient): void {
    this.clients.delete(client);
    this._o.log(`a bridge or command detached (${this.clients.size} attached)`);
    this._armIdle();
  }

  private _onmessage(client: LocalClient, message: unknown): void {
    const m = message as { v?: unknown; id?: unknown; type?: unknown };
    // `shutdown` comes only from local processes of the owner (the socket is owner-only);
    // bridges forward nothing that decodeRequest rejects, so a browser cannot send it.
    if (m && m.type === 'shutdown' && typeof m.id === 'number') {
      client.send({ v: NATIVE_VERSION, id: m.id, ok: true, result: null });
      void this.close();
      return;
    }
    let request: RequestFrame;
    try {
      request = decodeRequest(message);
    } catch (err) {
      this._o.log(`request rejected: ${(err as Error).message}`);
      if (m && typeof m.id === 'number') client.send({ v: NATIVE_VERSION, id: m.id, ok: false, error: toErrorInfo(err) });
      return;
    }
    const fail = (err: unknown) => client.send({ v: NATIVE_VERSION, id: request.id, ok: false, error: toErrorInfo(err) });
    try {
      const result = this._handle(request);
      // Only a few requests wait for something; the rest answer in order, synchronously.
      if (result instanceof Promise)
        result.then((r: unknown) => client.send({ v: NATIVE_VERSION, id: request.id, ok: true, result: r }), fail);
      else client.send({ v: NATIVE_VERSION, id: request.id, ok: true, result });
    } catch (err) {
      fail(err);
    }
  }

  private _handle(r: RequestFrame): unknown {
    const calls = this.calls!;
    switch (r.type) {
      case 'status':
        return this.status();
      case 'call':
        return calls.start(r.target, r.name ?? null, r.invitation ?? null, {
          staexId: r.staexId ?? null,
          network: r.network ?? null,
        });
      case 'link':
        return this.invitations!.issue({
          nowS: Math.floor(Date.now() / 1000),
          ...(r.lifetimeS ? { lifetimeS: r.lifetimeS } : {}),
          name: r.name ?? null,
          callee: r.callee ?? null,
        });
      case 'wait-link':
        this.invitations!.setWaiting(r.invitation, r.waiting);
        return null;
      case 'answer':
        return calls.answer(r.callId);
      case 'decline':
        return calls.decline(r.callId);
      case 'hangup':
        return calls.hangup(r.callId);
      case 'turn':
        return calls.turn(r.callId, r.browser);
      case 'signal':
        calls.signal(r.callId, r.signal);
        return null;
      case 'ring-policy':
        calls.setRingPolicy(r);
        this._paths?.setRules({
          blocked: new Set(r.blocked),
          allowOnly: r.allowOnly ? new Set(r.allowOnly) : null,
          direct: new Set(r.direct ?? []),
        });
        this._relays?.pin((r.relays ?? []).map((id) => Buffer.from(decodeNodeId(id))));
        return null;
      case 'site':
        if (r.endpoints) this.sites!.useEndpoints(r.endpoints);
        if (r.network) this.sites!.useNetwork(r.network);
        return r.port === undefined ? this.sites!.info() : this.sites!.publish(r.port === null ? null : { port: r.port });
      case 'publish-open':
        return this._publishServer().then((p) => p.open(r.endpoints, r.name ?? null));
    }
    throw CopybaraError.UNKNOWN_TYPE((r as { type: unknown }).type);
  }

  private _publishServer(): Promise<PublishServer> {
    if (this._closing) return Promise.reject(CopybaraError.INTERNAL('the node is stopping'));
    this._publish ??= import('./publish/server').then(
      ({ PublishServer }) =>
        new PublishServer({
          nodeId: this.identity!.nodeId,
          staexId: () => this.networks?.list(this.identity!.nodeId).find((n) => n.name === 'staex' && n.available)?.id ?? null,
          log: (l) => this._o.log(l),
        }),
      (err: unknown) => {
        this._publish = null;
        throw err;
      },
    );
    return this._publish;
  }

  private _broadcast(event: NodeEvent): void {
    if (this.clients.size === 0 && event.event === 'call' && event.call.state === 'incoming')
      this._o.log(`call ${event.call.callId} rings with no browser attached: it shows once one attaches, until the ring times out`);
    for (const c of this.clients) c.send({ v: NATIVE_VERSION, ...event });
    if (event.event === 'call') this._armIdle();
  }

  private _armIdle(): void {
    if (this._idleTimer) clearTimeout(this._idleTimer);
    this._idleTimer = null;
    if (this._o.idleExitMs === null || this.clients.size > 0 || this.calls?.live()) return;
    this._idleTimer = setTimeout(() => {
      this._o.log(`no browser attached for ${this._o.idleExitMs! / 1000} s; stopping`);
      void this.close();
    }, this._o.idleExitMs);
    this._idleTimer.unref();
  }
}
