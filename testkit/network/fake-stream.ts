import { randomBytes } from 'node:crypto';
import { Duplex } from 'node:stream';
import { FrameDecoder, encodeFrame } from '../../native-host/common/framing';

// A secret stream's stand-in for StreamLink tests: the test plays the peer, pushing bytes
// the link reads and looking at the frames the link wrote. With `stalled` set, writes are
// never acknowledged, like a peer that stopped reading: they pile up in writableLength and
// write() starts returning false at the same 16 KiB mark as a secret stream's.
export class FakeSecretStream extends Duplex {
  readonly remotePublicKey = randomBytes(32);
  readonly written: Buffer[] = [];
  readonly datagrams: Uint8Array[] = [];
  stalled = false;
  private _held: (() => void)[] = [];

  constructor() {
    super({ highWaterMark: 16 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.written.push(chunk);
    if (this.stalled) this._held.push(() => done());
    else done();
  }

  override _read(): void {}

  trySend(data: Uint8Array): void {
    this.datagrams.push(Uint8Array.from(data));
  }

  // The peer reads again: everything held is taken, and 'drain' follows.
  unstall(): void {
    this.stalled = false;
    for (const done of this._held.splice(0)) done();
  }

  // What the peer sends, as one chunk (a secret stream hands over one chunk per message the
  // peer wrote, however many frames it holds).
  peerSends(bytes: Buffer): void {
    this.push(bytes);
  }

  // The messages the link wrote, decoded.
  sentMessages(): unknown[] {
    const d = new FrameDecoder(1 << 20);
    return d.push(Buffer.concat(this.written)).map((f) => (f.ok ? f.message : f.error));
  }
}

// `count` copies of one frame: the peer's message framed as the link reads it.
export function frames(message: unknown, count: number): Buffer {
  const one = encodeFrame(message, 1 << 20);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

// `count` frames of one byte that is not JSON ("{"), 5 bytes each: the cheapest bad frame.
export function badFrames(count: number): Buffer {
  const one = Buffer.from([1, 0, 0, 0, 0x7b]);
  return Buffer.concat(Array.from({ length: count }, () => one));
}
