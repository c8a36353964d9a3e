import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import c from 'compact-encoding';
import Protomux, { type ProtomuxChannel, type ProtomuxMessage } from 'protomux';

// Many byte streams over one overlay connection: one per visitor TCP connection (or CONNECT
// tunnel) to a site. Each stream is a Protomux channel with three messages: data, credit and
// end. A side may send only as many bytes as the other has granted (credit, a window per
// stream), so one visitor's slow reader holds back only its own stream, and nobody can make
// the other side buffer more than a window per stream. The peer is not trusted: a stream that
// overruns its window, and a connection asking for more streams than allowed, are refused.

export const SITE_PROTOCOL = 'copybara-site/1';

export interface MuxLimits {
  // Streams open at once on one connection; the other side's next one is refused.
  maxStreams: number;
  // Bytes a side may send on one stream before the reader grants more.
  window: number;
  // The largest data message.
  chunk: number;
  // A stream that moves no byte either way for this long is closed (a stalled peer or visitor).
  idleMs: number;
}

export const DEFAULT_MUX_LIMITS: MuxLimits = { maxStreams: 128, window: 256 * 1024, chunk: 32 * 1024, idleMs: 120_000 };

interface Messages {
  data: ProtomuxMessage<Uint8Array>;
  credit: ProtomuxMessage<number>;
  end: ProtomuxMessage<number>;
}

// One stream of a SiteMux, as a Node.js Duplex: pipe a socket into it and it into the socket.
export class SiteStream extends Duplex {
  private _channel: ProtomuxChannel | null = null;
  private _m: Messages | null = null;
  // Bytes we may still send; bytes the other side may still send; bytes read but not yet granted back.
  private _credit: number;
  private _allowance: number;
  private _owed = 0;
  private _pending: { chunk: Buffer; cb: (err?: Error | null) => void } | null = null;
  private _ended = false;
  private _pumping = false;
  private _sentEnd = false;
  // The connection below took the last message without asking to wait (see _pump).
  private _drained = true;
  private _idle: NodeJS.Timeout;

  constructor(private readonly _limits: MuxLimits) {
    super({ allowHalfOpen: true });
    this._credit = _limits.window;
    this._allowance = _limits.window;
    this._idle = setTimeout(() => this.destroy(new Error(`nothing moved for ${_limits.idleMs / 1000} s`)), _limits.idleMs);
    this._idle.unref();
  }

  // Called once by SiteMux with the channel this stream runs on.
  attach(channel: ProtomuxChannel): void {
    this._channel = channel;
    this._m = {
      data: channel.addMessage({ encoding: c.raw, onmessage: (b) => this._ondata(b) }),
      credit: channel.addMessage({ encoding: c.uint, onmessage: (n) => this._oncredit(n) }),
      end: channel.addMessage({ encoding: c.uint, onmessage: () => this._onend() }),
    };
  }

  // The channel closed: the other side closed it, refused it, or the connection went.
  detached(): void {
    this._channel = null;
    // Both ends said: the stream closes by itself once its reader has taken the rest.
    if (this._ended && this._sentEnd) return;
    if (!this.destroyed) this.destroy(new Error('the stream was closed by the other side'));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this._pending = { chunk, cb };
    this._pump();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this._sentEnd = true;
    this._m?.end.send(0);
    cb();
  }

  override _read(): void {
    this._grant();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    clearTimeout(this._idle);
    const channel = this._channel;
    this._channel = null;
    channel?.close();
    const pending = this._pending;
    this._pending = null;
    pending?.cb(err ?? new Error('the stream closed'));
    cb(err);
  }

  // The connection below emptied its buffer (Protomux tells every channel).
  _ondrain(): void {
    this._drained = true;
    this._pump();
  }

  // Sends what the credit allows while the connection below keeps up; the write completes once
  // all of it is sent. Waiting for the connection too keeps one slower than its streams'
  // windows (a paced one, through a relay) from queueing up to a window for every stream, and
  // holds the site's TCP connection back instead. On a direct connection it also costs less
  // CPU per MB than filling the secret stream's queue up to the window (measured by the bench's
  // sites part), though a secret stream asks to wait after every message over its 16 KiB mark.
  _pump(): void {
    const p = this._pending;
    const m = this._m;
    // A credit that arrives inside send() finds the loop below still running; it continues there.
    if (!p || !m || this._pumping) return;
    this._pumping = true;
    while (this._credit > 0 && p.chunk.length > 0 && this._drained) {
      const n = Math.min(this._credit, this._limits.chunk, p.chunk.length);
      const piece = p.chunk.subarray(0, n);
      // State first: over an in-memory connection the answer arrives inside send().
      this._credit -= n;
      p.chunk = p.chunk.subarray(n);
      this._drained = m.data.send(piece);
    }
    this._pumping = false;
    this._idle.refresh();
    if (p.chunk.length > 0 || this._pending !== p) return;
    this._pending = null;
    p.cb();
  }

  private _ondata(b: Uint8Array): void {
    if (this.destroyed) return;
    this._allowance -= b.length;
    if (this._allowance < 0) return void this.destroy(new Error('the other side sent more than it was allowed'));
    this._idle.refresh();
    this._owed += b.length;
    // A copy: the message's bytes live in the connection's receive buffer.
    if (this.push(Buffer.from(b))) this._grant();
  }

  private _grant(): void {
    if (this._owed === 0 || !this._m || this.destroyed) return;
    const n = this._owed;
    this._allowance += n;
    this._owed = 0;
    this._m.credit.send(n);
  }

  private _oncredit(n: number): void {
    if (n <= 0 || this._credit + n > this._limits.window)
      return void this.destroy(new Error('the other side granted a credit it could not have owed'));
    this._credit += n;
    this._pump();
  }

  private _onend(): void {
    if (this._ended) return;
    this._ended = true;
    this.push(null);
  }
}

// One overlay connection's streams. Either side may open streams (the visitor does); the
// publisher passes `onStream` to take them.
export class SiteMux extends EventEmitter {
  private _mux: Protomux;
  private _streams = new Set<SiteStream>();
  private _next = 0;
  private _closed = false;

  constructor(
    connection: { on(event: 'close', listener: () => void): unknown; destroy(err?: Error): void },
    private readonly _o: { limits?: Partial<MuxLimits>; onStream?: (s: SiteStream) => void } = {},
  ) {
    super();
    this._connection = connection;
    // Before Protomux's own listener, so the streams learn why they end.
    connection.on('close', () => this._onclose());
    this._mux = new Protomux(connection);
    const onStream = _o.onStream;
    if (onStream) this._mux.pair({ protocol: SITE_PROTOCOL }, (id) => this._accept(id, onStream));
  }

  private _connection: { destroy(err?: Error): void };

  get limits(): MuxLimits {
    return { ...DEFAULT_MUX_LIMITS, ...this._o.limits };
  }

  get streams(): number {
    return this._streams.size;
  }

  get closed(): boolean {
    return this._closed;
  }

  // A new stream to the other side; null when this connection is closed or at its limit.
  open(): SiteStream | null {
    if (this._closed || this._streams.size >= this.limits.maxStreams) return null;
    const id = Buffer.alloc(4);
    id.writeUInt32BE(this._next++ >>> 0);
    return this._start(id);
  }

  close(): void {
    this._connection.destroy();
    this._onclose();
  }

  private _accept(id: Buffer | null, onStream: (s: SiteStream) => void): void {
    // Not creating the channel refuses it (Protomux answers the other side).
    if (this._closed || id === null || id.length !== 4 || this._streams.size >= this.limits.maxStreams) return;
    const s = this._start(id);
    if (s) onStream(s);
  }

  private _start(id: Buffer): SiteStream | null {
    const stream = new SiteStream(this.limits);
    const channel = this._mux.createChannel({
      protocol: SITE_PROTOCOL,
      id,
      onclose: () => stream.detached(),
      ondrain: () => stream._ondrain(),
    });
    if (channel === null) return null;
    stream.attach(channel);
    this._streams.add(stream);
    stream.once('close', () => {
      this._streams.delete(stream);
      if (this._streams.size === 0) this.emit('idle');
    });
    channel.open();
    return stream;
  }

  private _onclose(): void {
    if (this._closed) return;
    this._closed = true;
    for (const s of this._streams) s.destroy(new Error('the overlay connection closed'));
    this.emit('close');
  }
}
