import type { NoiseSecretStream } from 'hyperdht';
import { toErrorInfo } from '../../../lib/errors';
import { MAX_SIGNALLING_MESSAGE, type SignallingMessage, decodeSignalling, encodeSignalling } from '../../../lib/protocol/signalling';
import { FrameDecoder, encodeFrame } from '../../common/framing';
import type { Log } from '../../common/log';
import { type PeerLink, PeerLinkEmitter } from './backend';

// A PeerLink over a secret stream: framed signalling on the reliable stream, media as
// secret-stream datagrams. A malformed message from the peer is logged and dropped; it
// never ends the call on its own (an honest peer with a newer version keeps talking).
export class StreamLink extends PeerLinkEmitter implements PeerLink {
  readonly remoteKey: Buffer;
  closed = false;
  private _stream: NoiseSecretStream;
  private _decoder = new FrameDecoder(MAX_SIGNALLING_MESSAGE);
  private _log: Log;

  constructor(stream: NoiseSecretStream, log: Log) {
    super();
    this.remoteKey = stream.remotePublicKey;
    this._stream = stream;
    this._log = log;
    stream.on('data', (chunk: Buffer) => this._ondata(chunk));
    // Each datagram arrives decrypted in place in its own slice of udx's receive memory,
    // which udx never writes again: a listener may keep it, or consume it by rewriting it
    // (deliverMediaDatagram does, to frame ChannelData without a copy), so there should be
    // one 'datagram' listener per link.
    stream.on('message', (data: Buffer) => this.emit('datagram', data));
    stream.on('error', (err: Error) => this._onclose(err.message));
    stream.on('close', () => this._onclose('connection closed'));
    stream.on('end', () => stream.end());
  }

  send(message: SignallingMessage): void {
    if (this.closed) return;
    this._stream.write(encodeFrame(encodeSignalling(message), MAX_SIGNALLING_MESSAGE));
  }

  // Unreliable, and synchronous as far as `data` is concerned: secret-stream encrypts it into
  // a fresh envelope before trySend returns, so the caller may reuse its buffer at once
  // (mediaSender does, one buffer per link).
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
    for (const frame of this._decoder.push(chunk)) {
      if (!frame.ok) {
        this._log(`signalling from peer rejected: ${frame.error.message}`);
        continue;
      }
      let message: SignallingMessage;
      try {
        message = decodeSignalling(frame.message);
      } catch (err) {
        const info = toErrorInfo(err);
        this._log(`signalling from peer rejected: ${info.code}: ${info.message}`);
        continue;
      }
      this.emit('message', message);
    }
  }

  private _onclose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close', reason);
  }
}
