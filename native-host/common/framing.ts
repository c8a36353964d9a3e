import { CopybaraError } from '../../lib/errors';

// One framing for every byte stream the node speaks on: the browser's native-messaging stdio,
// the bridge's local socket and overlay signalling. Each frame is a 4-byte little-endian length
// (Chromium's "native byte order" on the platforms we ship for) followed by UTF-8 JSON.

export const HEADER = 4;

export function encodeFrame(message: unknown, limit: number): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  if (body.length > limit) throw CopybaraError.MESSAGE_TOO_LARGE(body.length, limit);
  const frame = Buffer.allocUnsafe(HEADER + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, HEADER);
  return frame;
}

export type Frame = { ok: true; message: unknown } | { ok: false; error: CopybaraError };

// Incremental decoder: feed it chunks as they come (split, merged, anything) and it yields
// one result per complete frame. A bad frame costs only itself: a body that is not JSON is
// reported and dropped, and a frame longer than the limit is reported and its body skipped
// as it streams past, so the frames after it still decode.
export class FrameDecoder {
  readonly limit: number;
  private _chunks: Buffer[] = [];
  private _buffered = 0;
  private _skip = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  push(chunk: Uint8Array): Frame[] {
    return [...this.frames(chunk)];
  }

  // The same, one frame at a time: a reader that stops early (a link closed for abuse) does
  // not pay for parsing the rest of a large chunk. Stopped early, the decoder keeps the rest
  // and yields it on the next call.
  *frames(chunk: Uint8Array): Generator<Frame, void, undefined> {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this._skip > 0) {
      const n = Math.min(this._skip, buf.length);
      this._skip -= n;
      buf = buf.subarray(n);
    }
    if (buf.length > 0) {
      this._chunks.push(buf);
      this._buffered += buf.length;
    }
    while (this._buffered >= HEADER) {
      const size = this._peek(HEADER).readUInt32LE(0);
      if (size > this.limit) {
        const rest = this._take(Math.min(this._buffered, HEADER + size));
        this._skip = HEADER + size - rest.length;
        yield { ok: false, error: CopybaraError.MESSAGE_TOO_LARGE(size, this.limit) };
        continue;
      }
      if (this._buffered < HEADER + size) break;
      yield parse(this._take(HEADER + size).subarray(HEADER));
    }
  }

  private _peek(n: number): Buffer {
    if (this._chunks[0]!.length < n) this._chunks = [Buffer.concat(this._chunks)];
    return this._chunks[0]!;
  }

  private _take(n: number): Buffer {
    const all = this._chunks.length === 1 ? this._chunks[0]! : Buffer.concat(this._chunks);
    const frame = all.subarray(0, n);
    const rest = all.subarray(n);
    this._chunks = rest.length > 0 ? [rest] : [];
    this._buffered = rest.length;
    return frame;
  }
}

function parse(body: Buffer): Frame {
  try {
    return { ok: true, message: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false, error: CopybaraError.BAD_MESSAGE(`a ${body.length}-byte frame is not JSON`) };
  }
}
