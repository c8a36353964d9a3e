import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CopybaraError } from '../../../lib/errors';
import { NODE_ID_RECORD_KEY, STAEX_ID_RECORD_KEY } from '../../../lib/names/record';
import type { PublishEndpoints, PublishOpened } from '../../../lib/protocol/native';
import type { Log } from '../../common/log';
import { type Asset, defaultAssetsDir, loadAssets } from './assets';
import { contentSecurityPolicy, refusal, securityHeaders } from './policy';
import { type Session, Sessions } from './sessions';

// The page through which the user writes this node's id into their own AZERO.ID domain with
// their own wallet (wallets inject themselves only into http(s) pages). Served on
// 127.0.0.1 from a random port, started on the first `publish-open`, stopped with the node.
// Everything sits under /publish/SECRET/; any other request, and any request another site
// or a rebinding name could make, gets a bare 404.

export interface PublishConfig {
  nodeId: string;
  // What the page writes: only our ids (the node id, and the Staex id while Staex is up), never
  // a removal of the domain's other records.
  records: [string, string][];
  endpoints: PublishEndpoints;
  myName: string | null;
}

export interface PublishServerOptions {
  nodeId: string;
  // This machine's Staex id while the Staex network is up, asked at each page load.
  staexId?: () => string | null;
  log: Log;
  // Where the built page is (default: native-host/dist/publish).
  assetsDir?: string | null;
  lifetimeMs?: number;
  now?: () => number;
}

const PATH = /^\/publish\/([A-Za-z0-9_-]{1,128})\/([^/]*)$/;

export class PublishServer {
  private readonly o: PublishServerOptions;
  private readonly sessions: Sessions;
  private server: Server | null = null;
  private starting: Promise<number> | null = null;
  private assets = new Map<string, Asset>();
  private closed = false;
  private lastRefusalLog = 0;

  constructor(opts: PublishServerOptions) {
    this.o = opts;
    this.sessions = new Sessions({ ...(opts.lifetimeMs ? { lifetimeMs: opts.lifetimeMs } : {}), ...(opts.now ? { now: opts.now } : {}) });
  }

  get address(): AddressInfo | null {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : null;
  }

  get port(): number | null {
    return this.address?.port ?? null;
  }

  // A fresh secret (the previous URL stops working) and the URL that carries it.
  async open(endpoints: PublishEndpoints, name: string | null): Promise<PublishOpened> {
    if (this.closed) throw CopybaraError.INTERNAL('the node is stopping');
    const port = await this.listen();
    const session = this.sessions.issue(endpoints, name);
    return { url: `http://127.0.0.1:${port}/publish/${session.secret}/`, expiresAt: session.expiresAt };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sessions.revoke();
    const server = this.server;
    this.server = null;
    if (!server) return;
    const done = once(server, 'close');
    server.close();
    server.closeAllConnections();
    await done;
  }

  private listen(): Promise<number> {
    this.starting ??= (async () => {
      this.assets = await loadAssets(this.o.assetsDir === undefined ? defaultAssetsDir() : this.o.assetsDir);
      const server = createServer((req, res) => this.handle(req, res));
      // Nothing here is slow or large: a client that dawdles is dropped.
      server.headersTimeout = 10_000;
      server.requestTimeout = 15_000;
      server.keepAliveTimeout = 5_000;
      server.listen({ host: '127.0.0.1', port: 0, exclusive: true });
      await once(server, 'listening');
      if (this.closed) {
        server.close();
        throw CopybaraError.INTERNAL('the node is stopping');
      }
      this.server = server;
      const port = (server.address() as AddressInfo).port;
      this.o.log(`publishing page on 127.0.0.1:${port}`);
      return port;
    })().catch((err: unknown) => {
      this.starting = null;
      throw err;
    });
    return this.starting;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const port = this.port;
    const refused = port === null ? 'stopping' : refusal(req.method, req.headers, port);
    if (refused) {
      // Any web page can make the browser knock here; one line a minute says it happens
      // without letting a page fill the log.
      const now = Date.now();
      if (now - this.lastRefusalLog > 60_000) {
        this.lastRefusalLog = now;
        this.o.log(`publishing page: refused a request (${refused})`);
      }
      return notFound(res);
    }
    const path = (req.url ?? '').split('?', 1)[0]!;
    const m = PATH.exec(path);
    const session = m ? this.sessions.find(m[1]!) : null;
    if (!m || !session) return notFound(res);
    const file = m[2] === '' ? 'index.html' : m[2]!;
    if (file === 'config.json') {
      return send(res, Buffer.from(JSON.stringify(this.config(session))), 'application/json; charset=utf-8', session);
    }
    const asset = this.assets.get(file);
    if (!asset) return notFound(res);
    send(res, asset.body, asset.type, session);
  }

  private staexRecord(): [string, string][] {
    const id = this.o.staexId?.() ?? null;
    return id ? [[STAEX_ID_RECORD_KEY, id]] : [];
  }

  private config(session: Session): PublishConfig {
    return {
      nodeId: this.o.nodeId,
      records: [[NODE_ID_RECORD_KEY, this.o.nodeId], ...this.staexRecord()],
      endpoints: session.endpoints,
      myName: session.name,
    };
  }
}

function send(res: ServerResponse, body: Buffer, type: string, session: Session): void {
  res.writeHead(200, {
    ...securityHeaders(contentSecurityPolicy(session.endpoints)),
    'Content-Type': type,
    'Content-Length': body.length,
  });
  res.end(body);
}

// Says nothing: no body, no CORS, the same for a wrong secret as for a foreign page.
function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Cache-Control': 'no-store', 'Content-Length': 0 });
  res.end();
}
