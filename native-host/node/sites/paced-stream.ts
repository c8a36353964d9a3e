import { EventEmitter } from 'node:events';
import { TokenBucket } from '../../common/token-bucket';
import type { FramedStream, ServiceConnection } from '../network/backend';
import { RELAYED_BULK_BURST, RELAYED_BULK_RATE } from '../network/relay-rates';

// A framed stream whose writes leave no faster than a rate. A blind relay cannot slow a pair
// down, only cut it (relay-meter.ts), so a node that sends bulk data through a relay keeps
// itself under the rate every relay carries (relay-rates.ts). Writes are queued whole and
// released as the bucket allows; write() returns false once the queue holds more than a mark,
// and 'drain' follows when it has emptied below it, so the writer above (Protomux, and through
// it the site's TCP connection) is held back instead of piling data up here.

export interface Pace {
  // Payload bytes per second, and how many may leave at once after a quiet spell.
  perSecond: number;
  burst: number;
}

export const RELAYED_SITE_PACE: Pace = { perSecond: RELAYED_BULK_RATE, burst: RELAYED_BULK_BURST };

// How many queued bytes make write() say "wait": about two of the mux's largest messages.
const HIGH_WATER = 64 * 1024;

export class PacedStream extends EventEmitter implements FramedStream {
  private readonly _bucket: TokenBucket;
  private _queue: Uint8Array[] = [];
  private _queued = 0;
  private _timer: NodeJS.Timeout | null = null;
  // The stream below said its buffer is full: nothing more goes until its 'drain'.
  private _blocked = false;
  // A write was answered false: the writer waits for our 'drain'.
  private _owesDrain = false;
  private _ending = false;
  private _ended = false;

  constructor(
    private readonly _inner: FramedStream,
    pace: Pace,
    now?: () => number,
  ) {
    super();
    this._bucket = new TokenBucket(pace.perSecond, pace.burst, now);
    _inner.on('data', (d) => this.emit('data', d));
    _inner.on('end', () => this.emit('end'));
    // An 'error' with no listener would throw; whoever reads this stream listens for 'close'.
    _inner.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
    _inner.on('close', () => {
      this._drop();
      this.emit('close');
    });
    _inner.on('drain', () => {
      this._blocked = false;
      this._flush();
    });
  }

  get destroyed(): boolean {
    return this._inner.destroyed;
  }

  // Bytes waiting for their turn.
  get queued(): number {
    return this._queued;
  }

  write(data: Uint8Array): boolean {
    if (this.destroyed || this._ending) return false;
    this._queue.push(data);
    this._queued += data.length;
    this._flush();
    const ok = this._queued < HIGH_WATER && !this._blocked;
    if (!ok) this._owesDrain = true;
    return ok;
  }

  // Ends the stream below once everything queued has gone.
  end(): void {
    this._ending = true;
    this._flush();
  }

  destroy(err?: Error): void {
    this._drop();
    this._inner.destroy(err);
  }

  pause(): unknown {
    return this._inner.pause();
  }

  resume(): unknown {
    return this._inner.resume();
  }

  private _flush(): void {
    if (this._timer !== null || this.destroyed) return;
    while (this._queue.length > 0 && !this._blocked) {
      const wait = this._bucket.waitMs();
      if (wait > 0) {
        this._timer = setTimeout(() => {
          this._timer = null;
          this._flush();
        }, wait);
        return;
      }
      const data = this._queue.shift()!;
      this._queued -= data.length;
      this._bucket.spend(data.length);
      if (!this._inner.write(data)) this._blocked = true;
    }
    if (this._queue.length === 0 && this._ending && !this._ended) {
      this._ended = true;
      this._inner.end();
    }
    if (this._owesDrain && this._queued < HIGH_WATER && !this._blocked) {
      this._owesDrain = false;
      this.emit('drain');
    }
  }

  private _drop(): void {
    if (this._timer !== null) clearTimeout(this._timer);
    this._timer = null;
    this._queue = [];
    this._queued = 0;
  }
}

// The stream to run a site connection on: paced when it goes through a blind relay (its route
// names one), as it is when it is direct or the network cannot tell (not a blind relay).
export function siteStream(connection: ServiceConnection, pace: Pace = RELAYED_SITE_PACE): FramedStream {
  return connection.route?.relay ? new PacedStream(connection.stream, pace) : connection.stream;
}
