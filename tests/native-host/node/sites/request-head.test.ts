import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeadResult, type RequestHead, forwardedHead, parseRequestHead } from '../../../../native-host/node/sites/request-head';

const parse = (text: string, limits?: { maxHeadBytes: number; maxHeaders: number }): HeadResult =>
  parseRequestHead(Buffer.from(text, 'latin1'), limits);

function head(text: string): RequestHead {
  const r = parse(text);
  if (r.kind !== 'head') throw new Error(`expected a head, got ${JSON.stringify(r)}`);
  return r.head;
}

function status(text: string, limits?: { maxHeadBytes: number; maxHeaders: number }): number | string {
  const r = parse(text, limits);
  return r.kind === 'error' ? r.problem.status : r.kind;
}

describe('request heads a browser sends its proxy', () => {
  it('reads absolute-form: the URL names the host, the site gets the path', () => {
    const h = head('GET http://Alice.AZERO/a/b?c=1 HTTP/1.1\r\nHost: alice.azero\r\nProxy-Connection: keep-alive\r\n\r\n');
    expect(h).toMatchObject({ method: 'GET', host: 'alice.azero', port: 80, path: '/a/b?c=1', connect: false, body: { kind: 'none' } });
    expect(forwardedHead(h).toString()).toBe('GET /a/b?c=1 HTTP/1.1\r\nHost: alice.azero\r\n\r\n');
  });

  it('gives a bare absolute URL the path "/" and keeps a port', () => {
    const h = head('GET http://alice.a0:8080 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(h).toMatchObject({ host: 'alice.a0', port: 8080, path: '/' });
    expect(forwardedHead(h).toString()).toContain('\r\nHost: alice.a0:8080\r\n');
  });

  it('reads origin-form from the Host header, and only from exactly one', () => {
    expect(head('GET /x HTTP/1.1\r\nHost: bob.tzero.\r\n\r\n')).toMatchObject({ host: 'bob.tzero', port: 80, path: '/x' });
    expect(status('GET /x HTTP/1.1\r\n\r\n')).toBe(400);
    expect(status('GET /x HTTP/1.1\r\nHost: a.azero\r\nHost: b.azero\r\n\r\n')).toBe(400);
  });

  it('reads CONNECT host:port, and refuses CONNECT without a port', () => {
    expect(head('CONNECT alice.azero:443 HTTP/1.1\r\nHost: alice.azero:443\r\n\r\n')).toMatchObject({
      connect: true,
      host: 'alice.azero',
      port: 443,
    });
    expect(status('CONNECT alice.azero HTTP/1.1\r\n\r\n')).toBe(400);
    expect(status('CONNECT alice.azero:0 HTTP/1.1\r\n\r\n')).toBe(400);
    expect(status('CONNECT alice.azero:70000 HTTP/1.1\r\n\r\n')).toBe(400);
  });

  it('says how the body is delimited, and refuses both delimiters at once', () => {
    expect(head('POST /f HTTP/1.1\r\nHost: a.azero\r\nContent-Length: 12\r\n\r\n').body).toEqual({ kind: 'length', bytes: 12 });
    expect(head('POST /f HTTP/1.1\r\nHost: a.azero\r\nTransfer-Encoding: chunked\r\n\r\n').body).toEqual({ kind: 'chunked' });
    expect(status('POST /f HTTP/1.1\r\nHost: a.azero\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n')).toBe(400);
    expect(status('POST /f HTTP/1.1\r\nHost: a.azero\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n')).toBe(400);
    expect(status('POST /f HTTP/1.1\r\nHost: a.azero\r\nContent-Length: -1\r\n\r\n')).toBe(400);
    expect(status('POST /f HTTP/1.1\r\nHost: a.azero\r\nTransfer-Encoding: gzip, chunked\r\n\r\n')).toBe(501);
  });

  it('notices a WebSocket upgrade', () => {
    const h = head('GET /ws HTTP/1.1\r\nHost: a.azero\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n');
    expect(h.upgrade).toBe(true);
    expect(head('GET /ws HTTP/1.1\r\nHost: a.azero\r\nUpgrade: websocket\r\n\r\n').upgrade).toBe(false);
  });

  it('waits for the blank line, then measures the head', () => {
    expect(status('GET / HTTP/1.1\r\nHost: a.azero\r\n')).toBe('incomplete');
    const r = parse('GET / HTTP/1.1\r\nHost: a.azero\r\n\r\nBODY');
    expect(r.kind === 'head' && r.headBytes).toBe('GET / HTTP/1.1\r\nHost: a.azero\r\n\r\n'.length);
  });

  it('refuses malformed request lines with 400 and unknown versions with 505', () => {
    for (const line of ['GET /', 'GET  / HTTP/1.1', 'GET / HTTP/1.1 x', 'G(T / HTTP/1.1', 'GET /a b HTTP/1.1', 'GET / http/1.1', '\r\n'])
      expect(status(`${line}\r\nHost: a.azero\r\n\r\n`), line).toBe(400);
    expect(status('GET / HTTP/2.0\r\nHost: a.azero\r\n\r\n')).toBe(505);
  });

  it('refuses malformed header lines', () => {
    for (const field of ['NoColon', ': empty name', 'Bad Name: x', 'Host : a.azero', 'X: a\x00b', 'X: a\rb'])
      expect(status(`GET / HTTP/1.1\r\nHost: a.azero\r\n${field}\r\n\r\n`), field).toBe(400);
  });

  it('refuses hosts that are not host names, and user information', () => {
    for (const target of ['http://a_b.azero/', 'http://user@alice.azero/', 'http://[::1]/', 'ftp://alice.azero/', 'http://-a.azero/'])
      expect(status(`GET ${target} HTTP/1.1\r\n\r\n`), target).toBe(400);
  });

  it('answers 431 to a head over the byte or field limit, however it arrives', () => {
    const limits = { maxHeadBytes: 200, maxHeaders: 3 };
    const big = `GET / HTTP/1.1\r\nHost: a.azero\r\nX: ${'y'.repeat(300)}`;
    expect(status(big, limits)).toBe(431);
    expect(status(`${big}\r\n\r\n`, limits)).toBe(431);
    expect(status('GET / HTTP/1.1\r\nHost: a.azero\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', limits)).toBe(431);
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        const r = parseRequestHead(bytes, { maxHeadBytes: 400, maxHeaders: 10 });
        if (r.kind === 'head') expect(r.headBytes).toBeLessThanOrEqual(400);
      }),
      { numRuns: 2000 },
    );
  });

  it('forwards no proxy-only header and exactly one Host', () => {
    const h = head('GET http://a.azero/ HTTP/1.1\r\nHost: evil.example\r\nProxy-Authorization: x\r\nKeep-Alive: 5\r\nAccept: */*\r\n\r\n');
    expect(forwardedHead(h).toString()).toBe('GET / HTTP/1.1\r\nHost: a.azero\r\nAccept: */*\r\n\r\n');
  });
});
