import { toErrorInfo } from '../../../lib/errors';
import { encodeNodeId } from '../../../lib/node-id';
import { MAX_SIGNALLING_MESSAGE, type SignallingMessage, decodeSignalling, encodeSignalling } from '../../../lib/protocol/signalling';
import { FrameDecoder, encodeFrame } from '../../common/framing';
import { type Log, clip, rateLimitedLog } from '../../common/log';
import { TokenBucket } from '../../common/token-bucket';
import { type PeerLink, PeerLinkEmitter, type Route } from './backend';
import { DEFAULT_LINK_LIMITS, LINK_LOG, type LinkLimits } from './link-limits';
import { type ServiceName, readFirstMessage } from './service-preamble';

// What a link uses of a secret stream (NoiseSecretStream; tests stand in a plain Duplex).
export interface SignallingStream {
  readonly remotePublicKey: Buffer;
  // false: the stream holds more than its mark; 'drain' follows once it has sent it all.
  write(data: Uint8Array): boolean;
  end(): void;
  destroy(): void;
  trySend(data: Uint8Array): void;
  on(event: 'data' | 'message', listener: (data: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'drain' | 'close' | 'end', listener: () => void): unknown;
  off(event: 'data' | 'message', listener: (data: Buffer) => void): unknown;
  off(event: 'error', listener: (err: Error) => void): unknown;
  off(event: 'drain' | 'close' | 'end', listener: () => void): unknown;
  // HyperDHT's UDX stream under the encryption (absent in tests' stand-ins).
  readonly rawStream?: { remoteHost?: string; remotePort?: number; rtt?: number } | null;
}

export interface StreamLinkOptions {
  limits?: Partial<LinkLimits>;
  // How the stream runs, when the backend knows (it chose the relay, or answered through one).
  route?: Route;
  now?: () => number;
  // Takes the stream when its first message is a service's preamble instead of a call's first
  // message (service-preamble.ts); the link then closes without touching the stream. Absent:
  // such a connection is cut off.
  onService?: (service: ServiceName, stream: SignallingStream) => void;
}

// How much of a rejected message's own words a log line keeps.
const EXCERPT = 120;

// A PeerLink over a secret stream: framed signalling on the reliable stream, media as
// secret-stream datagrams. A malformed message from the peer is logged and dropped (an
// honest peer with a newer version keeps talking), up to a limit; a peer over any limit in
// link-limits.ts is cut off at once, ending whatever call rode on the link.
export class StreamLink extends PeerLinkEmitter implements PeerLink {
  readonly remoteKey: Buffer;
  // The backend fills in the relay once the connection is open (the answerer may pick it).
  readonly route: Route | null;
  closed = false;
  private _stream: SignallingStream;
  private _decoder = new FrameDecoder(MAX_SIGNALLING_MESSAGE);
  private _log: Log;
  private _limits: LinkLimits;
  private _messages: TokenBucket;
  private _bytes: TokenBucket;
  private _badFrames = 0;
  // Set while write() has said to wait and 'drain' has not come: bytes queued since then.
  private _backlog: number | null = null;
  private _stall: NodeJS.Timeout | null = null;
  private _peer: string;
  private _first = true;
  private _onService: StreamLinkOptions['onService'] | null;
  private _on: {
    data: (chunk: Buffer) => void;
    message: (data: Buffer) => void;
    drain: () => void;
    error: (err: Error) => void;
    close: () => void;
    end: () => void;
  };

  // `log` should already be limited for all links together (HyperdhtBackend does that);
  // this link limits it once more for itself.
  // The address the packets come from: the peer's, or in private mode the relay's. For `status`
  // and the relay tests; null when the stream has no UDX stream (yet).
  get rttMs(): number | null {
    const rtt = this._stream.rawStream?.rtt;
    return typeof rtt === 'number' && rtt > 0 ? rtt : null;
  }

  get remoteAddress(): { host: string; port: number } | null {
    const raw = this._stream.rawStream;
    return raw?.remoteHost && raw.remotePort ? { host: raw.remoteHost, port: raw.remotePort } : null;
  }

  constructor(stream: SignallingStream, log: Log, opts: StreamLinkOptions = {}) {
    super();
    this.remoteKey = stream.remotePublicKey;
    this.route = opts.route ?? null;
    this._stream = stream;
    this._limits = { ...DEFAULT_LINK_LIMITS, ...opts.limits };
    this._log = rateLimitedLog(log, LINK_LOG.perSecond, LINK_LOG.burst, opts.now);
    this._messages = new TokenBucket(this._limits.messagesPerSecond, this._limits.messageBurst, opts.now);
    this._bytes = new TokenBucket(this._limits.bytesPerSecond, this._limits.byteBurst, opts.now);
    this._peer = encodeNodeId(this.remoteKey).slice(0, 8);
    this._onService = opts.onService ?? null;
    this._on = {
      data: (chunk: Buffer) => this._ondata(chunk),
      // Each datagram arrives decrypted in place in its own slice of udx's receive memory,
      // which udx never writes again: a listener may keep it, or consume it by rewriting it
      // (deliverMediaDatagram does, to frame ChannelData without a copy), so there should be
      // one 'datagram' listener per link.
      message: (data: Buffer) => this.emit('datagram', data),
      drain: () => this._ondrain(),
      error: (err: Error) => this._onclose(err.message),
      close: () => this._onclose('connection closed'),
      end: () => stream.end(),
    };
    stream.on('data', this._on.data);
    stream.on('message', this._on.message);
    stream.on('drain', this._on.drain);
    stream.on('error', this._on.error);
    stream.on('close', this._on.close);
    stream.on('end', this._on.end);
  }

  send(message: SignallingMessage): void {
    if (this.closed) return;
    // A pong only tells the peer we are here; while it is not taking what we send, answering
    // each of its pings would let it grow our queue at will.
    if (this._backlog !== null && message.type === 'pong') return;
    const frame = encodeFrame(encodeSignalling(message), MAX_SIGNALLING_MESSAGE);
    if (this._backlog !== null) {
      this._backlog += frame.length;
      if (this._backlog > this._limits.maxBacklog) return this._cutOff(`it left over ${this._limits.maxBacklog} bytes unread`);
    }
    if (this._stream.write(frame) || this._backlog !== null) return;
    this._backlog = 0;
    this._stall = setTimeout(
      () => this._cutOff(`it read nothing for ${this._limits.drainTimeoutMs / 1000} s`),
      this._limits.drainTimeoutMs,
    );
    this._stall.unref();
  }

  // Unreliable, and synchronous as far as `data` is concerned: secret-stream encrypts it into
  // a fresh envelope before trySend returns, so the caller may reuse its buffer at once
  // (MediaRelay does, one buffer per call).
  sendDatagram(data: Uint8Array): void {
    if (this.closed) return;
    this._stream.trySend(data);
  }

  close(): void {
    if (this.closed) return;
    this._stream.end();
    // A peer that never ends its side must not keep the connection open forever.
    setTimeout(() => this._stream.destroy(), 2000).unref();
  }

  private _ondata(chunk: Buffer): void {
    if (this.closed) return;
    if (this._first) {
      this._first = false;
      const first = readFirstMessage(chunk);
      if (first.kind === 'service' && this._onService) return this._handOver(first.service);
      if (first.kind !== 'call') return this._cutOff('it asked for a service this node does not offer');
    }
    if (!this._bytes.take(chunk.length)) return this._cutOff(`it sent more than ${this._limits.bytesPerSecond} bytes a second`);
    for (const frame of this._decoder.frames(chunk)) {
      if (!this._messages.take()) return this._cutOff(`it sent more than ${this._limits.messagesPerSecond} messages a second`);
      if (!frame.ok) {
        this._reject(frame.error.code, frame.error.message);
      } else {
        let message: SignallingMessage | null = null;
        try {
          message = decodeSignalling(frame.message);
        } catch (err) {
          const info = toErrorInfo(err);
          this._reject(info.code, info.message);
        }
        if (message) this.emit('message', message);
      }
      // A listener may have closed the link.
      if (this.closed) return;
    }
  }

  // The connection is a service's: the stream leaves this link as it is, and the link closes.
  private _handOver(service: ServiceName): void {
    const stream = this._stream;
    stream.off('data', this._on.data);
    stream.off('message', this._on.message);
    stream.off('drain', this._on.drain);
    stream.off('error', this._on.error);
    stream.off('close', this._on.close);
    stream.off('end', this._on.end);
    this._onclose(`the connection is for the ${service} service, not a call`);
    this._onService!(service, this._stream);
  }

  private _reject(code: string, detail: string): void {
    this._log(`signalling from peer ${this._peer} rejected: ${code}: ${clip(detail, EXCERPT)}`);
    if (++this._badFrames >= this._limits.maxBadFrames) this._cutOff(`it sent ${this._badFrames} malformed messages`);
  }

  private _ondrain(): void {
    this._backlog = null;
    if (this._stall) clearTimeout(this._stall);
    this._stall = null;
  }

  // Closes the link without flushing (the peer is not owed the rest) and says why.
  private _cutOff(why: string): void {
    if (this.closed) return;
    this._log(`link to peer ${this._peer} cut off: ${why}`);
    this._onclose(`the peer was cut off: ${why}`);
    this._stream.destroy();
  }

  private _onclose(reason: string): void {
    if (this._stall) clearTimeout(this._stall);
    this._stall = null;
    if (this.closed) return;
    this.closed = true;
    this.emit('close', reason);
  }
}
