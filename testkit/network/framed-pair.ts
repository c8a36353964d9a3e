import { Duplex } from 'node:stream';

// Two ends of an in-memory framed stream (each write arrives whole as one 'data' at the other
// end, as over a secret stream), for tests of what runs on an overlay connection. Destroying
// one end closes the other, as a lost connection does.
export function framedPair(): [FramedEnd, FramedEnd] {
  const a = new FramedEnd();
  const b = new FramedEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export class FramedEnd extends Duplex {
  peer: FramedEnd | null = null;
  // Every message written, for tests that look at the wire.
  readonly sent: Buffer[] = [];

  constructor() {
    super({ objectMode: true, allowHalfOpen: true });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.sent.push(chunk);
    this.peer?.push(Buffer.from(chunk));
    done();
  }

  override _read(): void {}

  override _final(done: (err?: Error | null) => void): void {
    this.peer?.push(null);
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const peer = this.peer;
    this.peer = null;
    if (peer && !peer.destroyed) peer.destroy();
    done(err);
  }
}
