import DHT, { type KeyPair, type NoiseSecretStream, type Server } from 'hyperdht';
import NoiseWrap from 'hyperdht/lib/noise-wrap.js';
import { encodeNodeId } from '../../../lib/node-id';
import { type HostPort, isLoopbackHost } from '../../common/bootstrap';
import { type Log, rateLimitedLog } from '../../common/log';
import type { Backend, FramedStream, PeerLink, Route, ServiceConnection } from './backend';
import { PeerUnreachable, classifyConnectFailure } from './connect-failure';
import { ALL_LINKS_LOG, type LinkLimits } from './link-limits';
import { FIREWALL, type PathPolicy, worthPunching } from './path-policy';
import type { RelayChooser } from './relay-finder';
import { type ServiceName, encodePreamble } from './service-preamble';
import { type SizableSocket, enlargeBuffers } from './socket-buffers';
import { StreamLink } from './stream-link';

// HyperDHT does not expose its sockets in its API; they are dht-rpc's io.serverSocket
// (which carries the direct connections, and so overlay media) and io.clientSocket. Best
// effort: if a version moves them, the defaults apply and nothing else changes.
export function enlargeSocketBuffers(dht: DHT): void {
  const io = (dht as unknown as { io?: { serverSocket?: SizableSocket | null; clientSocket?: SizableSocket | null } }).io;
  enlargeBuffers(io?.serverSocket);
  enlargeBuffers(io?.clientSocket);
}

export interface HyperdhtOptions {
  keyPair: KeyPair;
  // null: HyperDHT's public bootstrap nodes.
  bootstrap: HostPort[] | null;
  log: Log;
  // Tests lower or lift them; the defaults are for real calls.
  linkLimits?: Partial<LinkLimits>;
  // Private mode when given: connections go through blind relays (the policy says, per
  // connection, which relay, or direct for a peer the person allows), and this node never
  // tells anyone its addresses. Absent: every connection is direct (holepunched).
  privacy?: { paths: PathPolicy; relays: RelayChooser };
}

// The parts of a HyperDHT server this backend sets per handshake (see _answer()). Not in its
// typed API; hyperdht is pinned to an exact version, and tests/integration/privacy.test.ts
// fails if a release changes what they do.
interface ServerHandshakeKnobs {
  relayThrough: Buffer | null;
  _neverPunch: boolean;
}

// The embedded network. One DHT node per local node; its server announces our key, and
// connect() finds a key through the DHT and reaches it, through a relay or holepunched.
export class HyperdhtBackend implements Backend {
  readonly name = 'hyperdht';
  private _dht: DHT;
  private _server: Server | null = null;
  private _keyPair: KeyPair;
  // What links log about their peers, limited for all links together.
  private _peerLog: Log;
  private _log: Log;
  private _linkLimits: Partial<LinkLimits>;
  private _closing: Promise<void> | null = null;
  private _privacy: NonNullable<HyperdhtOptions['privacy']> | null;
  // Contacts (hex keys) whose direct connection failed lately, and until when to use a relay.
  private _directFailed = new Map<string, number>();
  // How each accepted handshake was answered, by peer key (hex), until its stream opens.
  private _answered = new Map<string, Route>();

  constructor(opts: HyperdhtOptions) {
    this._keyPair = opts.keyPair;
    this._log = opts.log;
    this._peerLog = rateLimitedLog(opts.log, ALL_LINKS_LOG.perSecond, ALL_LINKS_LOG.burst);
    this._linkLimits = opts.linkLimits ?? {};
    this._privacy = opts.privacy ?? null;
    const local = opts.bootstrap !== null && opts.bootstrap.every((b) => isLoopbackHost(b.host));
    // With only loopback bootstrap nodes (tests, demo) nothing outside this machine can be
    // reached anyway, so the DHT socket binds to loopback too, and it is not firewalled
    // there: left to probe, a fresh node sometimes took the holepunch path, which on
    // loopback can report a connection open that the other side never sees.
    // In private mode the node never claims to be reachable directly, even there.
    const open = local && this._privacy === null;
    this._dht = new DHT({
      ...(opts.bootstrap ? { bootstrap: opts.bootstrap } : {}),
      ...(local ? { host: '127.0.0.1' } : {}),
      ...(open ? { firewalled: false } : {}),
      // A node that turns persistent joins other nodes' routing tables, listed by address for
      // anyone who walks the DHT: private mode never does.
      ...(this._privacy ? { ephemeral: true } : {}),
    });
    if (this._privacy) {
      // HyperDHT puts the node's public address into every handshake and connect payload once it
      // believes the node reachable (then a peer dials it straight there, around any relay). In
      // private mode it never learns that: the address stays unknown to everything above.
      (this._dht as unknown as { remoteAddress(): null }).remoteAddress = () => null;
    }
  }

  // The DHT node itself, for reading its state (network-state.ts), never for connecting.
  get dht(): DHT {
    return this._dht;
  }

  get port(): number | null {
    return this._server === null || this._dht.destroyed ? null : this._dht.address().port;
  }

  get private(): boolean {
    return this._privacy !== null;
  }

  async listen(onLink: (link: PeerLink) => void, onService?: (connection: ServiceConnection) => void): Promise<void> {
    const onStream = (stream: NoiseSecretStream) => {
      const key = stream.remotePublicKey.toString('hex');
      const route = this._answered.get(key) ?? { relay: null };
      this._answered.delete(key);
      // A service's connection (its first message says so) leaves the link for onService.
      const link = new StreamLink(stream, this._peerLog, {
        limits: this._linkLimits,
        route,
        onService: (service, s) => {
          if (onService) onService({ remoteKey: stream.remotePublicKey, route, service, stream: s as unknown as FramedStream });
          else s.destroy();
        },
      });
      onLink(link);
    };
    if (this._privacy === null) {
      this._server = this._dht.createServer(onStream);
    } else {
      const privacy = this._privacy;
      let knobs: ServerHandshakeKnobs | null = null;
      const server: Server = this._dht.createServer(
        {
          holepunch: false,
          shareLocalAddress: false,
          firewall: (remotePublicKey: Buffer, payload: unknown): boolean => this._answer(privacy.paths, remotePublicKey, payload, knobs!),
        },
        onStream,
      );
      knobs = server as unknown as ServerHandshakeKnobs;
      this._server = server;
    }
    await this._server.listen(this._keyPair);
    // Listening implies the DHT is bound, so both sockets exist now.
    enlargeSocketBuffers(this._dht);
  }

  // Decides an incoming handshake in private mode; true refuses it before any reply. HyperDHT asks
  // this hook, then, with no turn of the event loop in between (only resolved awaits), reads the
  // server's relayThrough and whether it may holepunch for this same handshake: setting them here
  // makes both per-handshake. So a stranger is answered through our relay, never holepunched,
  // while a contact the person allows may be.
  private _answer(paths: PathPolicy, remoteKey: Buffer, payload: unknown, server: ServerHandshakeKnobs): boolean {
    const offered = offeredRelay(payload);
    const decision = paths.answer(remoteKey, offered);
    if ('refuse' in decision) {
      this._peerLog(`a connection from ${encodeNodeId(remoteKey).slice(0, 8)}… refused (${decision.refuse})`);
      server.relayThrough = null;
      server._neverPunch = true;
      return true;
    }
    server.relayThrough = decision.relay;
    server._neverPunch = decision.relay !== null;
    // A caller that says it is reachable directly is connected to straight from our socket, before
    // any relay: its say-so would reveal our address to anyone who claims it. Through a relay, we
    // treat every caller as firewalled.
    if (decision.relay !== null) forgetOpenClaim(payload);
    // A direct contact that dials through its own relay gets that relay: it could learn our
    // address directly anyway.
    const relay = decision.relay ?? offered;
    this._answered.set(remoteKey.toString('hex'), { relay });
    if (this._answered.size > 256) this._answered.delete(this._answered.keys().next().value!);
    return false;
  }

  connect(remoteKey: Buffer, signal: AbortSignal): Promise<PeerLink> {
    return this._dial(remoteKey, signal, (stream, route) => new StreamLink(stream, this._peerLog, { limits: this._linkLimits, route }));
  }

  // The first message says which service; the Protomux that runs on the stream comes after it.
  // The key alone finds the node here: the rest of what is known of it (PeerAddress) is Staex's.
  openService(remoteKey: Buffer, service: ServiceName, signal: AbortSignal): Promise<ServiceConnection> {
    return this._dial(remoteKey, signal, (stream, route) => {
      stream.write(encodePreamble(service));
      return { remoteKey, route, service, stream };
    });
  }

  private async _dial<T>(remoteKey: Buffer, signal: AbortSignal, wrap: (stream: NoiseSecretStream, route: Route) => T): Promise<T> {
    const privacy = this._privacy;
    if (!privacy) return this._open(remoteKey, { relay: null }, signal, wrap);
    let decision = privacy.paths.dial(remoteKey);
    if ('noRelay' in decision) {
      // Relays may still be being looked up (a node just started): wait for one, within the dial.
      if (!(await privacy.relays.waitForRelay(signal))) {
        throw new PeerUnreachable('no-relay', 'no relay could be reached, so the call cannot go through without showing your address');
      }
      decision = privacy.paths.dial(remoteKey);
      if ('noRelay' in decision) throw new PeerUnreachable('no-relay', 'no relay could be reached');
    }
    if (decision.relay === null && (this._directFailed.get(remoteKey.toString('hex')) ?? 0) > Date.now()) {
      const relay = privacy.relays.pick();
      if (relay !== null) decision = { relay };
    }
    // A direct attempt gets part of the dial, so the relay still has time when it fails.
    const attempt = decision.relay === null ? AbortSignal.any([signal, AbortSignal.timeout(DIRECT_ATTEMPT_MS)]) : signal;
    try {
      return await this._open(remoteKey, decision, attempt, wrap);
    } catch (err) {
      // A contact allowed directly that could not be reached directly (NATs that cannot be
      // crossed, or a holepunch that never completed): the relay still can. A refusal stays one.
      const relay = decision.relay === null ? privacy.relays.pick() : null;
      if (err instanceof PeerUnreachable && err.why !== 'refused' && relay !== null && !signal.aborted) {
        this._log(`direct connection to ${encodeNodeId(remoteKey).slice(0, 8)}… failed (${err.why}); trying through a relay`);
        return this._open(remoteKey, { relay }, signal, wrap);
      }
      throw err;
    }
  }

  private _open<T>(remoteKey: Buffer, route: Route, signal: AbortSignal, wrap: (stream: NoiseSecretStream, route: Route) => T): Promise<T> {
    if (signal.aborted) return Promise.reject(new PeerUnreachable('unknown', String(signal.reason ?? 'cancelled')));
    return new Promise((resolve, reject) => {
      const answerer = answererRelay();
      const stream = this._dht.connect(
        remoteKey,
        route.relay === null
          ? {
              keyPair: this._keyPair,
              createHandshake: answerer.createHandshake,
              holepunch: (remote: number, local: number) => this._worthPunching(remote, local),
            }
          : // Our local addresses are for a LAN shortcut, which a relayed connection never takes;
            // `fastOpen` would send a first holepunch probe straight to the peer's public address
            // (the one DHT routing reports), which its network would see coming from ours.
            {
              keyPair: this._keyPair,
              createHandshake: answerer.createHandshake,
              relayThrough: route.relay,
              localConnection: false,
              fastOpen: false,
            },
      );
      // Wrapped at once: a StreamLink must be listening before the stream can say anything.
      const taken: Route = { relay: route.relay };
      const wrapped = wrap(stream, taken);
      const onabort = () => {
        stream.destroy();
        reject(new PeerUnreachable('unknown', String(signal.reason ?? 'cancelled')));
      };
      const cleanup = () => {
        signal.removeEventListener('abort', onabort);
        stream.off('open', onopen);
        stream.off('error', onerror);
      };
      const onopen = () => {
        cleanup();
        // The answerer's choice of relay wins over ours (HyperDHT pairs through the one it names);
        // the link or connection holds this very route object, so it reports the path taken.
        taken.relay = answerer.relay() ?? route.relay;
        if (taken.relay !== null) this._privacy?.relays.worked(taken.relay);
        resolve(wrapped);
      };
      const onerror = (err: Error & { code?: string }) => {
        cleanup();
        const why = classifyConnectFailure(err, { relayed: route.relay !== null });
        if (route.relay !== null && why === 'relay') this._privacy?.relays.failed(route.relay);
        reject(new PeerUnreachable(why, err.code ? `${err.code}: ${err.message}` : err.message));
      };
      signal.addEventListener('abort', onabort, { once: true });
      stream.on('open', onopen);
      stream.on('error', onerror);
    });
  }

  private _worthPunching(remoteFirewall: number, localFirewall: number): boolean {
    return worthPunching(remoteFirewall, localFirewall, this._privacy !== null && this._privacy.relays.pick() !== null);
  }

  // The relay that carried a lost call link is demoted, so the call's next connection (and the
  // next calls for a while) go through another one if any is known. Here and not in the call
  // layer: which relay a link took, and the ranking it counts against, are this backend's
  // business; the call layer only knows its link died. That may have been the peer's network
  // rather than the relay, but a wrongly demoted relay only waits behind healthy ones for a
  // minute (relays.ts), and with no other relay known it is still the one picked.
  linkLost(link: PeerLink): void {
    if (!this._privacy || !link.route) return;
    const relay = link.route.relay;
    if (relay === null) {
      // A direct connection to a contact that died or never carried anything: holepunching does
      // not hold between these two networks, so the relay carries the next ones for a while.
      this._directFailed.set(link.remoteKey.toString('hex'), Date.now() + DIRECT_RETRY_AFTER_MS);
      if (this._directFailed.size > 256) this._directFailed.delete(this._directFailed.keys().next().value!);
      return;
    }
    this._log(`a call's connection through relay ${encodeNodeId(relay).slice(0, 8)}… was lost; that relay is tried last for a while`);
    this._privacy.relays.failed(relay);
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

// How long a direct connection to an allowed contact may take before the relay is tried instead:
// holepunching that works does within a few seconds.
const DIRECT_ATTEMPT_MS = 4_000;
// After a direct connection to a contact failed, how long its calls go through a relay.
const DIRECT_RETRY_AFTER_MS = 10 * 60_000;

function forgetOpenClaim(payload: unknown): void {
  const p = payload as { firewall?: unknown } | null;
  if (p && p.firewall === FIREWALL.OPEN) p.firewall = FIREWALL.UNKNOWN;
}

// The relay the answering node names in its handshake reply, once the handshake is done.
function answererRelay(): { createHandshake: (keyPair: KeyPair, remote: Buffer) => NoiseWrap; relay(): Buffer | null } {
  let relay: Buffer | null = null;
  return {
    createHandshake(keyPair, remote) {
      const wrap = new NoiseWrap(keyPair, remote);
      const recv = wrap.recv.bind(wrap);
      wrap.recv = (buf: Buffer) => {
        const payload = recv(buf);
        relay = offeredRelay(payload);
        return payload;
      };
      return wrap;
    },
    relay: () => relay,
  };
}

// The relay a handshake payload asks for, if any (HyperDHT's decoded handshake payload).
function offeredRelay(payload: unknown): Buffer | null {
  const offer = (payload as { relayThrough?: { publicKey?: unknown } | null } | null)?.relayThrough?.publicKey;
  return Buffer.isBuffer(offer) ? offer : null;
}
