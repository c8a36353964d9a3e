import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { ResolveError } from '../../../lib/names/errors';
import { parseName } from '../../../lib/names/name';
import type { Log } from '../../common/log';
import { PeerUnreachable } from '../network/connect-failure';
import type { SiteStream } from './mux';
import * as pages from './pages';
import { NO_SITE, SITE_OPEN } from './publisher';
import { DEFAULT_HEAD_LIMITS, type HeadLimits, type RequestHead, forwardedHead, parseRequestHead } from './request-head';
import type { SiteConnections, SiteNode } from './site-connections';

// The browser's HTTP proxy for .azero, .a0 and .tzero sites, on 127.0.0.1 only. It is not an
// open proxy: a request for any other host is refused (403) and nothing of it is forwarded.
// Each visitor TCP connection becomes one stream of the site node's overlay connection; every
// request head on it is checked and rewritten to origin-form before it goes on, so a kept-alive
// connection may ask another name next (it then moves to that name's stream). A CONNECT, a
// WebSocket upgrade or a chunked request body turns the rest of the connection into a tunnel to
// the site it was for.

export const SITE_TLDS = ['azero', 'a0', 'tzero'] as const;

// A name to the node it points to; throws ResolveError (or anything: a lookup failure).
export type SiteResolver = (name: string, signal: AbortSignal) => Promise<SiteNode>;

export interface ProxyOptions {
  resolve: SiteResolver;
  connections: SiteConnections;
  log: Log;
  limits?: Partial<HeadLimits>;
  // Visitor TCP connections at once; more are answered 503.
  maxClients?: number;
  // A visitor connection on which nothing moves for this long is closed.
  idleMs?: number;
  // How long a name lookup plus the dial may take before the visitor gets a page.
  routeTimeoutMs?: number;
}

export function isSiteHost(host: string): boolean {
  const tld = host.slice(host.lastIndexOf('.') + 1);
  return host.includes('.') && (SITE_TLDS as readonly string[]).includes(tld);
}

export class SiteProxy {
  private _server: Server | null = null;
  private _clients = new Set<Socket>();

  constructor(private readonly _o: ProxyOptions) {}

  get port(): number | null {
    return (this._server?.address() as AddressInfo | null)?.port ?? null;
  }

  get clients(): number {
    return this._clients.size;
  }

  async listen(port = 0): Promise<number> {
    // No Nagle: the proxy forwards pieces as they arrive, and a small last piece held back until
    // the one before is acknowledged would add to every page's time to first byte.
    const server = createServer({ noDelay: true }, (socket) => this._onsocket(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._server = server;
    return this.port!;
  }

  close(): Promise<void> {
    for (const c of this._clients) c.destroy();
    return new Promise((resolve) => (this._server ? this._server.close(() => resolve()) : resolve()));
  }

  private _onsocket(socket: Socket): void {
    socket.on('error', () => {});
    if (this._clients.size >= (this._o.maxClients ?? 256)) {
      socket.end(pages.problemResponse(pages.busy()));
      return;
    }
    this._clients.add(socket);
    socket.once('close', () => this._clients.delete(socket));
    new VisitorConnection(socket, this._o);
  }
}

type Mode = 'head' | 'body' | 'routing' | 'tunnel' | 'done';

class VisitorConnection {
  private _buf: Buffer = Buffer.alloc(0);
  private _mode: Mode = 'head';
  private _bodyLeft = 0;
  private _upstream: { name: string; stream: SiteStream } | null = null;
  private _limits: HeadLimits;
  private _abort = new AbortController();

  constructor(
    private readonly _socket: Socket,
    private readonly _o: ProxyOptions,
  ) {
    this._limits = { ...DEFAULT_HEAD_LIMITS, ..._o.limits };
    _socket.setTimeout(_o.idleMs ?? 120_000, () => _socket.destroy());
    _socket.on('data', (chunk: Buffer) => this._ondata(chunk));
    _socket.on('end', () => {
      if (this._upstream && this._mode !== 'done') this._upstream.stream.end();
      else _socket.end();
    });
    _socket.on('close', () => {
      this._mode = 'done';
      this._abort.abort();
      this._upstream?.stream.destroy();
    });
  }

  private _ondata(chunk: Buffer): void {
    if (this._mode === 'done') return;
    if (this._mode === 'tunnel') return this._send(chunk);
    this._buf = this._buf.length === 0 ? chunk : Buffer.concat([this._buf, chunk]);
    this._advance();
  }

  private _advance(): void {
    while (this._buf.length > 0 || this._mode === 'tunnel') {
      if (this._mode === 'tunnel') {
        const rest = this._buf;
        this._buf = Buffer.alloc(0);
        if (rest.length > 0) this._send(rest);
        return;
      }
      if (this._mode === 'body') {
        const n = Math.min(this._bodyLeft, this._buf.length);
        this._send(this._buf.subarray(0, n));
        this._buf = this._buf.subarray(n);
        this._bodyLeft -= n;
        if (this._bodyLeft === 0) this._mode = 'head';
        continue;
      }
      if (this._mode !== 'head') return;
      const r = parseRequestHead(this._buf, this._limits);
      if (r.kind === 'incomplete') return;
      if (r.kind === 'error') return this._fail(pages.badRequest(r.problem.reason, r.problem.status));
      this._buf = this._buf.subarray(r.headBytes);
      this._mode = 'routing';
      this._socket.pause();
      this._route(r.head).then(
        () => {
          if (this._mode === 'done') return;
          this._socket.resume();
          this._advance();
        },
        (err: unknown) => this._fail(problemFor(err, r.head.host)),
      );
      return;
    }
  }

  // Finds (or keeps) the stream for this request's site and sends the head on it.
  private async _route(head: RequestHead): Promise<void> {
    if (!isSiteHost(head.host)) throw new Refusal(pages.notASiteHost(head.host));
    let name: string;
    try {
      name = parseName(head.host).full;
    } catch (err) {
      throw new Refusal(pages.notAName(head.host, err instanceof Error ? err.message : String(err)));
    }
    if (head.connect ? head.port !== 443 && head.port !== 80 : head.port !== 80)
      throw new Refusal(pages.notASiteHost(`${head.host}:${head.port}`));
    if (this._upstream?.name !== name) {
      const old = this._upstream;
      this._upstream = null;
      old?.stream.unpipe(this._socket);
      old?.stream.end();
      this._upstream = { name, stream: await this._open(name) };
    }
    if (head.connect) {
      this._socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      this._mode = 'tunnel';
      return;
    }
    this._send(forwardedHead(head));
    if (head.upgrade || head.body.kind === 'chunked') this._mode = 'tunnel';
    else if (head.body.kind === 'length') {
      this._mode = 'body';
      this._bodyLeft = head.body.bytes;
    } else this._mode = 'head';
  }

  private async _open(name: string): Promise<SiteStream> {
    const signal = AbortSignal.any([this._abort.signal, AbortSignal.timeout(this._o.routeTimeoutMs ?? 30_000)]);
    let node: SiteNode;
    try {
      node = await this._o.resolve(name, signal);
    } catch (err) {
      if (ResolveError.is(err, 'NAME_NOT_REGISTERED') || ResolveError.is(err, 'NO_NODE_ID') || ResolveError.is(err, 'RECORD_MALFORMED'))
        throw new Refusal(pages.noNodeId(name, err.message));
      throw new Refusal(pages.lookupFailed(name, err instanceof Error ? err.message : String(err)));
    }
    let stream: SiteStream | null;
    try {
      stream = (await this._o.connections.get(node)).open();
    } catch (err) {
      if (err instanceof PeerUnreachable) throw new Refusal(pages.nodeUnreachable(name, err.why, err.message));
      throw new Refusal(pages.nodeUnreachable(name, 'unknown', err instanceof Error ? err.message : String(err)));
    }
    if (stream === null) throw new Refusal(pages.busy());
    stream.on('error', () => {});
    const status = await firstByte(stream);
    if (status === NO_SITE) throw new Refusal(pages.noSite(name));
    if (status !== SITE_OPEN) throw new Refusal(pages.siteDown(name));
    if (this._mode === 'done') {
      stream.destroy();
      throw new Refusal(pages.busy());
    }
    stream.pipe(this._socket, { end: false });
    stream.once('end', () => {
      if (this._upstream?.stream === stream) this._socket.end();
    });
    stream.once('close', () => {
      // Closed before it ended: the site or the overlay connection went mid-answer.
      if (this._upstream?.stream === stream && !stream.readableEnded) this._socket.destroy();
    });
    return stream;
  }

  // Upstream, holding the visitor back while the stream's buffer is full.
  private _send(bytes: Buffer): void {
    const stream = this._upstream?.stream;
    if (!stream || stream.destroyed) return;
    if (!stream.write(bytes)) {
      this._socket.pause();
      stream.once('drain', () => {
        if (this._mode !== 'routing') this._socket.resume();
      });
    }
  }

  private _fail(p: pages.Problem): void {
    if (this._mode === 'done') return;
    this._mode = 'done';
    this._upstream?.stream.destroy();
    this._upstream = null;
    this._socket.end(pages.problemResponse(p));
  }
}

class Refusal extends Error {
  constructor(readonly problem: pages.Problem) {
    super(problem.title);
  }
}

function problemFor(err: unknown, host: string): pages.Problem {
  if (err instanceof Refusal) return err.problem;
  return pages.nodeUnreachable(host, 'unknown', err instanceof Error ? err.message : String(err));
}

// The publisher's status byte; whatever follows it is put back for the reader.
function firstByte(stream: SiteStream): Promise<number> {
  return new Promise((resolve) => {
    const done = (status: number) => {
      stream.off('data', ondata);
      stream.off('end', onend);
      stream.off('close', onend);
      resolve(status);
    };
    const ondata = (d: Buffer) => {
      stream.pause();
      if (d.length > 1) stream.unshift(d.subarray(1));
      done(d[0]!);
    };
    const onend = () => done(-1);
    stream.on('data', ondata);
    stream.once('end', onend);
    stream.once('close', onend);
  });
}
