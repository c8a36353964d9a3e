import { connect } from 'node:net';

// One HTTP GET on a fresh TCP connection to 127.0.0.1:port, timed from the connect call: when
// the first byte of the answer arrived, and when the last byte of its body did. Raw bytes
// (no HTTP client library) so the client costs the same on every path it measures; the body is
// counted, not kept.

export interface Fetched {
  status: number;
  bodyBytes: number;
  firstByteMs: number;
  doneMs: number;
}

const MAX_HEAD = 16 * 1024;
const LAST_CHUNK = Buffer.from('\r\n0\r\n\r\n');

export function timedGet(port: number, host: string, path: string, timeoutMs: number): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const socket = connect({ host: '127.0.0.1', port, noDelay: true });
    let firstByteMs: number | null = null;
    let head: Buffer | null = Buffer.alloc(0);
    let status = 0;
    let length = -1;
    let body = 0;
    let chunked = false;
    let tail: Buffer = Buffer.alloc(0);
    const fail = (why: string) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`GET http://${host}${path} via 127.0.0.1:${port}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no complete answer within ${timeoutMs} ms (${body} body bytes so far)`), timeoutMs);
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, bodyBytes: body, firstByteMs: firstByteMs!, doneMs: performance.now() - t0 });
    };
    socket.on('data', (d: Buffer) => {
      firstByteMs ??= performance.now() - t0;
      if (head !== null) {
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) {
          if (head.length > MAX_HEAD) fail('answer head over 16 KiB');
          return;
        }
        const text = head.subarray(0, end).toString('latin1');
        status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0);
        // Without a length (Connection: close, no chunking) the body ends when the connection does.
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(text);
        chunked = !m && /\r\ntransfer-encoding:\s*chunked/i.test(text);
        length = m ? Number(m[1]) : Infinity;
        const rest = head.subarray(end + 4);
        body = rest.length;
        tail = rest.subarray(-LAST_CHUNK.length);
        head = null;
      } else {
        body += d.length;
        if (chunked) tail = Buffer.concat([tail, d]).subarray(-LAST_CHUNK.length);
      }
      // A chunked body (the proxy keeps its connection to the site alive) ends with its last chunk.
      if (body >= length || (chunked && tail.equals(LAST_CHUNK))) done();
    });
    socket.on('error', (err) => fail(err.message));
    socket.on('close', () => {
      if (length === Infinity && !chunked) done();
      else if (chunked && !finished) fail(`connection closed before the last chunk (${body} bytes)`);
      else if (length < 0 || body < length) fail(`connection closed after ${body} of ${length} body bytes`);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
}
