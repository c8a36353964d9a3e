import { copyFileSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { TokenBucket } from './token-bucket';

export type Log = (line: string) => void;

// Where lines go: process.stderr, or a file from openLogFile.
export interface LogSink {
  write(text: string): unknown;
}

// Much of what the node logs is about what a peer sent, so a line must never carry more of
// it than a reader needs, nor anything that would forge a line or reorder the text a terminal
// shows (newlines, escapes, bidi overrides).
export const MAX_LINE = 300;

// The node runs for weeks under a browser; its log must not grow without end.
export const MAX_LOG_BYTES = 1024 * 1024;

// C0 and C1 controls, DEL, the Unicode line and paragraph separators and the bidi controls.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// `text` with every unprintable character escaped, cut to `max` characters ("…" marks a cut).
// Only the first `max` characters are looked at, so a 128 KiB message costs no more than a
// short one.
export function clip(text: string, max = MAX_LINE): string {
  const escaped = text.slice(0, max).replace(UNPRINTABLE, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return escaped.length > max || text.length > max ? `${escaped.slice(0, max - 1)}…` : escaped;
}

export function createLog(out: LogSink, prefix: string): Log {
  return (line) => {
    out.write(`${new Date().toISOString()} ${prefix} ${clip(line)}\n`);
  };
}

// A log that lets through at most `burst` lines at once and `perSecond` on average, and says
// how many it dropped on the next line it lets through. For lines a remote peer can cause:
// however fast it misbehaves, it cannot make the node spend its time writing about it.
export function rateLimitedLog(log: Log, perSecond: number, burst: number, now?: () => number): Log {
  const bucket = new TokenBucket(perSecond, burst, now);
  let dropped = 0;
  return (line) => {
    if (!bucket.take()) {
      dropped++;
      return;
    }
    log(dropped > 0 ? `(${dropped} ${dropped === 1 ? 'line' : 'lines'} dropped) ${line}` : line);
    dropped = 0;
  };
}

// Appends to `path`, keeping it under `maxBytes`: when a line would not fit, the file is
// copied to `path.1` (replacing the older one) and emptied. Copied and emptied rather than
// renamed because the bridge also points the node's stderr at this file (what Node itself
// prints when it crashes): that descriptor appends to the same file and keeps doing so after
// the truncation, where a rename would leave it writing to the old copy. A line written by
// that descriptor between the copy and the truncation is lost; only a crash writes there.
export function openLogFile(path: string, maxBytes = MAX_LOG_BYTES): LogSink {
  const fd = openSync(path, 'a', 0o600);
  return {
    write(text: string) {
      const bytes = Buffer.byteLength(text);
      // fstat, not a running count: the inherited stderr writes to the file too.
      if (fstatSync(fd).size + bytes > maxBytes) {
        copyFileSync(path, `${path}.1`);
        ftruncateSync(fd, 0);
      }
      writeSync(fd, text);
    },
  };
}
