import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResolveError } from '../../../../lib/names/errors';
import type { ServiceConnection } from '../../../../native-host/node/network/backend';
import { PeerUnreachable } from '../../../../native-host/node/network/connect-failure';
import { SiteProxy, isSiteHost } from '../../../../native-host/node/sites/proxy';
import { SitePublisher } from '../../../../native-host/node/sites/publisher';
import { SiteConnections } from '../../../../native-host/node/sites/site-connections';
import { framedPair } from '../../../../testkit/network/framed-pair';
import { rawExchange, viaProxy } from '../../../../testkit/sites';

// The proxy with everything but the network real: the overlay connection is an in-memory
// framed pair (testkit/network/framed-pair.ts) whose far end runs the real publisher in front of
// a real HTTP server on 127.0.0.1. Names resolve from a table.

const ALICE = Buffer.alloc(32, 1);
const OFFLINE = Buffer.alloc(32, 2);
const NAMES: Record<string, Buffer> = { 'alice.azero': ALICE, 'alice.tzero': ALICE, 'ghost.azero': OFFLINE };

let server: Server;
let seen: string[];
let published: number | null;
let proxy: SiteProxy;
let port: number;
let dials: string[];
let publisher: SitePublisher;

beforeAll(async () => {
  seen = [];
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.host} ${req.socket.remoteAddress}`);
    res.end(`hello from ${req.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  published = (server.address() as AddressInfo).port;
  publisher = new SitePublisher({ port: () => published, log: () => {} });
  dials = [];
  const backend = {
    openService: (key: Buffer): Promise<ServiceConnection> => {
      dials.push(key.toString('hex').slice(0, 4));
      if (!key.equals(ALICE)) return Promise.reject(new PeerUnreachable('offline', 'PEER_NOT_FOUND'));
      const [visitor, site] = framedPair();
      publisher.accept({ remoteKey: Buffer.alloc(32, 9), route: null, service: 'site', stream: site });
      return Promise.resolve({ remoteKey: key, route: null, service: 'site', stream: visitor });
    },
  };
  const connections = new SiteConnections({ backend, log: () => {} });
  proxy = new SiteProxy({
    resolve: (name) => {
      const key = NAMES[name];
      return key ? Promise.resolve({ key }) : Promise.reject(ResolveError.notRegistered(name));
    },
    connections,
    log: () => {},
    limits: { maxHeadBytes: 2048, maxHeaders: 20 },
  });
  port = await proxy.listen();
});

afterAll(async () => {
  publisher.close();
  await proxy.close();
  await new Promise((r) => server.close(r));
});

const statusOf = (answer: string) => Number(answer.slice(9, 12));

describe('the site proxy', () => {
  it('listens on 127.0.0.1 only', () => {
    expect(proxy.port).toBe(port);
  });

  it('knows the three site TLDs and nothing else', () => {
    expect(['a.azero', 'a.a0', 'a.tzero'].map(isSiteHost)).toEqual([true, true, true]);
    expect(['azero', 'a.azero.com', 'example.com', 'a.zero'].map(isSiteHost)).toEqual([false, false, false, false]);
  });

  it('forwards absolute-form and origin-form requests, rewritten to origin-form, as from 127.0.0.1', async () => {
    const a = await viaProxy(port, 'http://alice.azero/a?b=1');
    expect(a.body.toString()).toBe('hello from /a?b=1');
    const o = await rawExchange(port, 'GET /o HTTP/1.1\r\nHost: alice.tzero\r\nConnection: close\r\n\r\n');
    expect(statusOf(o)).toBe(200);
    expect(seen.slice(-2)).toEqual(['GET /a?b=1 alice.azero 127.0.0.1', 'GET /o alice.tzero 127.0.0.1']);
  });

  it('answers malformed, oversize and foreign requests itself, forwarding nothing', async () => {
    const before = seen.length;
    const dialsBefore = dials.length;
    const cases: [string, number][] = [
      ['GET\r\n\r\n', 400],
      ['GET / HTTP/1.1 extra\r\nHost: alice.azero\r\n\r\n', 400],
      ['GET / HTTP/3.0\r\nHost: alice.azero\r\n\r\n', 505],
      ['GET / HTTP/1.1\r\n\r\n', 400],
      [`GET / HTTP/1.1\r\nHost: alice.azero\r\nX: ${'z'.repeat(3000)}\r\n\r\n`, 431],
      [`GET / HTTP/1.1\r\nHost: alice.azero\r\nX: ${'z'.repeat(3000)}`, 431],
      ['GET http://example.com/ HTTP/1.1\r\nHost: alice.azero\r\n\r\n', 403],
      ['GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n', 403],
      ['CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 403],
      ['CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n', 403],
      ['CONNECT alice.azero:8080 HTTP/1.1\r\n\r\n', 403],
      ['GET http://alice.azero:81/ HTTP/1.1\r\n\r\n', 403],
      ['POST / HTTP/1.1\r\nHost: alice.azero\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ];
    for (const [request, status] of cases) expect(statusOf(await rawExchange(port, request)), request.slice(0, 50)).toBe(status);
    expect(seen.length).toBe(before);
    expect(dials.length).toBe(dialsBefore);
  });

  it('explains an unregistered name, an offline node and a node with no site', async () => {
    const unregistered = await viaProxy(port, 'http://nobody.azero/');
    expect([unregistered.status, unregistered.body.toString()]).toEqual([
      404,
      expect.stringContaining('does not point to a Copybara node'),
    ]);
    const offline = await viaProxy(port, 'http://ghost.azero/');
    expect([offline.status, offline.body.toString()]).toEqual([504, expect.stringContaining('offline or not reachable')]);
    published = null;
    try {
      const none = await viaProxy(port, 'http://alice.azero/');
      expect([none.status, none.body.toString()]).toEqual([404, expect.stringContaining('publishes no site')]);
    } finally {
      published = (server.address() as AddressInfo).port;
    }
  });

  it('escapes what a page repeats of the request', async () => {
    const answer = await rawExchange(port, 'GET http://<b>x</b>.azero/ HTTP/1.1\r\n\r\n');
    expect(answer).not.toContain('<b>');
  });
});
