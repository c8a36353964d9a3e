import { request } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import type { PublishEndpoints } from '../../../../lib/protocol/native';
import { PublishServer } from '../../../../native-host/node/publish/server';
import { NodeSocket } from '../../../../testkit/node-socket';
import { type Proc, startNode, startTestnet, tempDir } from '../../../../testkit/processes';

// The publishing page's server on its own: only requests that carry the newest, unexpired
// secret, made to the literal 127.0.0.1:PORT by no other origin, get anything but a bare 404.

const NODE_ID = encodeNodeId(new Uint8Array(32).fill(7));
const ENDPOINTS: PublishEndpoints = { azero: ['wss://ws.azero.dev', 'wss://rpc.example.org:9944/path'], tzero: ['ws://127.0.0.1:9944'] };

let dir: { path: string; remove(): Promise<void> };
let assets: string;
let clock = 1_700_000_000_000;
const servers: PublishServer[] = [];

function server(opts: { lifetimeMs?: number; assetsDir?: string | null; staexId?: () => string | null } = {}): PublishServer {
  const s = new PublishServer({ nodeId: NODE_ID, log: () => {}, assetsDir: assets, now: () => clock, ...opts });
  servers.push(s);
  return s;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

// node:http rather than fetch: fetch will not send a Host header of our choosing.
function get(port: number, path: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: { host: `127.0.0.1:${port}`, ...opts.headers },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function parts(url: string): { port: number; path: string; secret: string } {
  const u = new URL(url);
  return { port: Number(u.port), path: u.pathname, secret: u.pathname.split('/')[2]! };
}

function expectBare404(a: Answer): void {
  expect(a.status).toBe(404);
  expect(a.body).toBe('');
  expect(Object.keys(a.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  expect(a.headers['content-security-policy']).toBeUndefined();
}

beforeAll(async () => {
  dir = await tempDir('publish');
  assets = join(dir.path, 'page');
  await mkdir(assets);
  await writeFile(join(assets, 'index.html'), '<!doctype html><title>t</title><script type="module" src="./main.js"></script>');
  await writeFile(join(assets, 'main.js'), 'console.log(1)');
  await writeFile(join(assets, 'style.css'), 'body{}');
  await writeFile(join(assets, 'notes.txt'), 'not served');
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

afterAll(() => dir?.remove());

describe('publishing page server', () => {
  it('serves the page, its files and its config under the secret, with strict headers', async () => {
    const s = server();
    const opened = await s.open(ENDPOINTS, 'bob.azero');
    expect(opened.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/publish\/[A-Za-z0-9_-]{32}\/$/);
    expect(opened.expiresAt).toBe(clock + 30 * 60 * 1000);
    const { port, path } = parts(opened.url);

    const page = await get(port, path);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('<title>t</title>');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("connect-src 'self' wss://ws.azero.dev wss://rpc.example.org:9944 ws://127.0.0.1:9944;");
    expect(Object.keys(page.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);

    const js = await get(port, `${path}main.js`, { headers: { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' } });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get(port, `${path}style.css`)).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await get(port, `${path}index.html`)).status).toBe(200);

    const config = await get(port, `${path}config.json`, { headers: { 'sec-fetch-site': 'same-origin' } });
    expect(config.status).toBe(200);
    expect(config.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(config.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(config.body)).toEqual({
      nodeId: NODE_ID,
      records: [['copybara-id', NODE_ID]],
      endpoints: ENDPOINTS,
      myName: 'bob.azero',
    });

    const head = await get(port, path, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('answers a bare 404 without the secret, with a wrong one, and for files it does not have', async () => {
    const s = server();
    const { port, path, secret } = parts((await s.open(ENDPOINTS, null)).url);
    const wrong = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    for (const p of [
      '/',
      '/publish/',
      '/publish',
      `/publish/${wrong}/`,
      `/publish/${wrong}/config.json`,
      `/publish/${secret.slice(1)}/`,
      `/publish/${secret}`,
      `/${secret}/`,
      `/publish/${secret}/notes.txt`,
      `/publish/${secret}/nope.js`,
      `/publish/${secret}/../${secret}/`,
      `/publish/${secret}/%2e%2e/index.html`,
      `${path}sub/index.html`,
      `/config.json`,
    ]) {
      const a = await get(port, p);
      expect(a.status, p).toBe(404);
      expectBare404(a);
    }
    const config = JSON.parse((await get(port, `${path}config.json`)).body) as { myName: unknown };
    expect(config.myName).toBeNull();
  });

  it('offers the Staex id as a second record while the Staex network is up, asked at each load', async () => {
    let staexId: string | null = 'y'.repeat(51) + 'g';
    const s = server({ staexId: () => staexId });
    try {
      const { port, path } = parts((await s.open(ENDPOINTS, null)).url);
      const records = async () => (JSON.parse((await get(port, `${path}config.json`)).body) as { records: unknown }).records;
      expect(await records()).toEqual([
        ['copybara-id', NODE_ID],
        ['staex-id', staexId],
      ]);
      staexId = null;
      expect(await records()).toEqual([['copybara-id', NODE_ID]]);
    } finally {
      await s.close();
    }
  });

  it('honours only the newest secret, and only until it expires', async () => {
    const s = server({ lifetimeMs: 60_000 });
    const first = parts((await s.open(ENDPOINTS, null)).url);
    expect((await get(first.port, first.path)).status).toBe(200);
    const second = parts((await s.open(ENDPOINTS, null)).url);
    expect(second.port).toBe(first.port); // one listener, started once
    expect(second.secret).not.toBe(first.secret);
    expectBare404(await get(first.port, first.path));
    expectBare404(await get(first.port, `${first.path}config.json`));
    expect((await get(second.port, second.path)).status).toBe(200);
    clock += 59_999;
    expect((await get(second.port, `${second.path}config.json`)).status).toBe(200);
    clock += 1;
    expectBare404(await get(second.port, second.path));
    expectBare404(await get(second.port, `${second.path}config.json`));
  });

  it('refuses other Hosts (DNS rebinding), other Origins and cross-site fetches, even with the secret', async () => {
    const s = server();
    const { port, path } = parts((await s.open(ENDPOINTS, null)).url);
    for (const host of [
      'localhost',
      `localhost:${port}`,
      '127.0.0.1',
      `127.0.0.1:${port + 1}`,
      `evil.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `[::1]:${port}`,
    ]) {
      expectBare404(await get(port, `${path}config.json`, { headers: { host } }));
    }
    for (const origin of [
      'https://evil.example',
      'null',
      `http://localhost:${port}`,
      `http://127.0.0.1:${port + 1}`,
      `https://127.0.0.1:${port}`,
      'chrome-extension://abc',
    ]) {
      expectBare404(await get(port, `${path}config.json`, { headers: { origin } }));
    }
    for (const site of ['cross-site', 'same-site']) {
      expectBare404(await get(port, `${path}config.json`, { headers: { 'sec-fetch-site': site } }));
    }
    expect((await get(port, path, { headers: { 'sec-fetch-site': 'none' } })).status).toBe(200);
  });

  it('refuses every method but GET and HEAD, and never answers a CORS preflight', async () => {
    const s = server();
    const { port, path } = parts((await s.open(ENDPOINTS, null)).url);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      expectBare404(await get(port, `${path}config.json`, { method }));
    }
    const preflight = await get(port, `${path}config.json`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-private-network': 'true' },
    });
    expectBare404(preflight);
  });

  it('listens on 127.0.0.1 only, and stops listening when closed', async () => {
    const s = server();
    expect(s.port).toBeNull(); // nothing listens before the first open
    const { port, path } = parts((await s.open(ENDPOINTS, null)).url);
    expect(s.address).toMatchObject({ address: '127.0.0.1', family: 'IPv4', port });
    // The kernel's own table: one listening socket on this port, bound to 127.0.0.1.
    const listeners = await listeningOn(port);
    if (listeners !== null) expect(listeners).toEqual(['0100007F']);
    await s.close();
    await expect(get(port, path)).rejects.toThrow(/ECONNREFUSED/);
    await expect(s.open(ENDPOINTS, null)).rejects.toThrow(/stopping/);
  });

  it('says in words when the page is not built', async () => {
    const s = server({ assetsDir: join(dir.path, 'missing') });
    await expect(s.open(ENDPOINTS, null)).rejects.toThrow(/not built; run `npm run build:host`/);
    expect(s.port).toBeNull();
  });
});

// The same through a real node (the CLI, compiled or from source): `publish-open` on its
// socket, exactly what the bridge forwards from the extension. Needs the page built
// (`npm run build:host`, which `npm test` runs first).
describe('a real node', () => {
  let testnet: Proc;
  let node: Proc;
  let nodeId: string;
  let socket: NodeSocket;

  beforeAll(async () => {
    const t = await startTestnet();
    testnet = t.proc;
    ({ proc: node, nodeId } = await startNode(join(dir.path, 'p'), t.bootstrap, 'publish-node'));
    socket = await NodeSocket.connect(join(dir.path, 'p', 'node.sock'));
  });

  afterAll(async () => {
    socket?.close();
    await node?.stop();
    await testnet?.stop();
  });

  it('starts the page on publish-open, serves the built page and stops with the node', async () => {
    const opened = await socket.request({ type: 'publish-open', endpoints: ENDPOINTS, name: 'bob.azero' });
    expect(opened.expiresAt).toBeGreaterThan(Date.now() + 29 * 60 * 1000);
    const { port, path } = parts(opened.url);
    const page = await get(port, path);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<script type="module" src="./main.js"></script>');
    const js = await get(port, `${path}main.js`, { headers: { origin: `http://127.0.0.1:${port}` } });
    expect(js.status).toBe(200);
    expect(js.body.length).toBeGreaterThan(10_000);
    expect((await get(port, `${path}style.css`)).status).toBe(200);
    expect(JSON.parse((await get(port, `${path}config.json`)).body)).toEqual({
      nodeId,
      records: [['copybara-id', nodeId]],
      endpoints: ENDPOINTS,
      myName: 'bob.azero',
    });
    expectBare404(await get(port, `${path}config.json`, { headers: { host: `localhost:${port}` } }));

    // The same listener, a new secret.
    const again = await socket.request({ type: 'publish-open', endpoints: ENDPOINTS });
    expect(parts(again.url).port).toBe(port);
    expectBare404(await get(port, path));

    await expect(socket.request({ type: 'publish-open', endpoints: { azero: ['https://ws.azero.dev'], tzero: [] } })).rejects.toThrow(
      /BAD_MESSAGE: endpoints\.azero\[0\] must be a ws:\/\/ or wss:\/\/ address/,
    );

    await node.stop();
    await expect(get(port, parts(again.url).path)).rejects.toThrow(/ECONNREFUSED/);
  });
});

// Local addresses (hex, as /proc shows them) of the TCP sockets listening on `port`; null
// where there is no /proc.
async function listeningOn(port: number): Promise<string[] | null> {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return null;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const [addr, p] = (cols[1] ?? '').split(':');
      if (p === hexPort && cols[3] === '0A') found.push(addr!);
    }
  }
  return found;
}
