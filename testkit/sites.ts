import { createHash } from 'node:crypto';
import { type IncomingMessage, type Server, createServer, request } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { WebSocketServer } from 'ws';

// A web server as someone publishing a site runs it (on 127.0.0.1), and a visitor's requests
// through a node's site proxy, for the sites tests. Everything on 127.0.0.1.

export const BIG_BYTES = 50 * 1024 * 1024;

// The largest download /bytes/N serves.
export const MAX_BYTES = 100 * 1024 * 1024;

// The same pseudo-random bytes every time, generated as they are sent (no 50 MB in memory).
function* bigChunks(total = BIG_BYTES): Generator<Buffer> {
  let seed = 1;
  const chunk = Buffer.alloc(64 * 1024);
  for (let sent = 0; sent < total; sent += chunk.length) {
    for (let i = 0; i < chunk.length; i += 4) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      chunk.writeUInt32LE(seed, i);
    }
    yield total - sent < chunk.length ? chunk.subarray(0, total - sent) : chunk;
  }
}

export function bigHash(total = BIG_BYTES): string {
  const h = createHash('sha256');
  for (const c of bigChunks(total)) h.update(c);
  return h.digest('hex');
}

export interface SiteServer {
  port: number;
  // Every request the server saw: path and the address it came from.
  seen: { url: string; host: string | undefined; from: string | undefined }[];
  close(): Promise<void>;
}

export async function startSiteServer(): Promise<SiteServer> {
  const seen: SiteServer['seen'] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', host: req.headers.host, from: req.socket.remoteAddress });
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>Alice</title><h1>Alice’s site</h1>');
    } else if (req.url === '/big' || /^\/bytes\/\d{1,9}$/.test(req.url ?? '')) {
      // /bytes/N: the first N bytes of /big's sequence (any N up to MAX_BYTES).
      const total = req.url === '/big' ? BIG_BYTES : Math.min(MAX_BYTES, Number(req.url!.slice('/bytes/'.length)));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': total });
      const chunks = bigChunks(total);
      const pump = () => {
        for (;;) {
          const next = chunks.next();
          if (next.done) return void res.end();
          if (!res.write(Buffer.from(next.value))) return void res.once('drain', pump);
        }
      };
      pump();
    } else if (req.url === '/chunked') {
      // No Content-Length: Node sends it chunked, in parts a few milliseconds apart.
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(`part ${n}\n`);
        if (++n === 5) {
          clearInterval(tick);
          res.end();
        }
      }, 5);
    } else if (req.url === '/echo' && req.method === 'POST') {
      const body: Buffer[] = [];
      req.on('data', (d: Buffer) => body.push(d));
      req.on('end', () => res.end(Buffer.concat(body)));
    } else {
      res.writeHead(404);
      res.end('not here');
    }
  });
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise((resolve) => {
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface ProxyAnswer {
  status: number;
  headers: IncomingMessage['headers'];
  body: Buffer;
  // The local port of the socket to the proxy: the same port means the same kept-alive connection.
  localPort: number | undefined;
}

// A GET (or POST with `body`) of `url` through the proxy, in absolute-form as browsers send it.
export function viaProxy(
  proxyPort: number,
  url: string,
  opts: { agent?: import('node:http').Agent | false; body?: Buffer; timeoutMs?: number; digest?: boolean } = {},
): Promise<ProxyAnswer & { sha256?: string; bytes: number }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        method: opts.body ? 'POST' : 'GET',
        path: url,
        headers: { Host: u.host, ...(opts.body ? { 'Content-Length': opts.body.length } : {}) },
        agent: opts.agent ?? false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const hash = opts.digest ? createHash('sha256') : null;
        let bytes = 0;
        res.on('data', (d: Buffer) => {
          bytes += d.length;
          if (hash) hash.update(d);
          else chunks.push(d);
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
            bytes,
            localPort: res.socket?.localPort,
            ...(hash ? { sha256: hash.digest('hex') } : {}),
          }),
        );
        res.on('error', reject);
      },
    );
    const limit = opts.timeoutMs ?? 30_000;
    req.setTimeout(limit, () => req.destroy(new Error(`no answer for ${url} within ${limit / 1000} s`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

// Raw bytes to the proxy, and everything it sends back until it closes.
export function rawExchange(proxyPort: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1');
    const got: Buffer[] = [];
    const t = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`the proxy did not close the connection within ${timeoutMs} ms; it sent: ${Buffer.concat(got).toString().slice(0, 200)}`),
      );
    }, timeoutMs);
    socket.on('data', (d: Buffer) => got.push(d));
    socket.on('close', () => {
      clearTimeout(t);
      resolve(Buffer.concat(got).toString('latin1'));
    });
    socket.on('error', () => {});
    socket.write(bytes);
  });
}

// A CONNECT tunnel through the proxy; resolves with the socket once the proxy says 200.
export function tunnel(proxyPort: number, authority: string, timeoutMs = 20_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxyPort, '127.0.0.1');
    let head = '';
    const t = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to CONNECT ${authority} within ${timeoutMs} ms`));
    }, timeoutMs);
    const ondata = (d: Buffer) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(t);
      socket.off('data', ondata);
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`CONNECT refused: ${head.split('\r\n')[0]}`));
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', ondata);
    socket.on('error', reject);
    socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
  });
}
