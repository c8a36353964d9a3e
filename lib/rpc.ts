import { type ErrorInfo, fromErrorInfo } from './errors';

// The pending-request table every request/reply line in Copybara needs: the background's
// native port, the call page's port to the background, the CLI's and the tests' clients on
// the node's socket. It knows nothing of the transport: the caller posts the request in
// `send(id)` and feeds replies back in by id, so the same rules hold on every line:
//
//   * ids are unique for the life of the table (never reused, so a late reply cannot
//     settle a newer request);
//   * every request has a bounded wait, and its entry is gone once it times out;
//   * a reply for an id that is not pending (late, duplicate, made up) is ignored;
//   * when the line closes, every pending request fails with the error the caller gives;
//   * an error reply { code, message } is rethrown with the same code (lib/errors.ts).

export type RpcReply = { ok: true; result: unknown } | { ok: false; error: ErrorInfo };

interface Entry {
  resolve(value: unknown): void;
  reject(err: unknown): void;
  decode: (value: unknown) => unknown;
  timer: ReturnType<typeof setTimeout>;
}

export interface RpcOptions {
  timeoutMs: number;
  // The error of a request that got no reply in time; `label` is what the caller named it.
  timeoutError(label: string, timeoutMs: number): Error;
}

export class PendingRequests {
  private readonly opts: RpcOptions;
  private nextId = 1;
  private readonly pending = new Map<number, Entry>();

  constructor(opts: RpcOptions) {
    this.opts = opts;
  }

  get size(): number {
    return this.pending.size;
  }

  // Allocates an id and waits for its reply. `send` posts the request; when it throws, the
  // request fails with what it threw (or with `sendError` of it). `decode` checks a result
  // before the caller sees it; when it throws, the request fails with that.
  request<T>(
    label: string,
    send: (id: number) => void,
    decode: (value: unknown) => T,
    opts: { timeoutMs?: number; sendError?: (err: unknown) => unknown } = {},
  ): Promise<T> {
    const id = this.nextId++;
    const timeoutMs = opts.timeoutMs ?? this.opts.timeoutMs;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(this.opts.timeoutError(label, timeoutMs));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve, reject, decode, timer });
      try {
        send(id);
      } catch (err) {
        this.reject(id, opts.sendError ? opts.sendError(err) : err);
      }
    });
  }

  // A reply as it came off the wire. Returns whether it settled a pending request.
  settle(id: number, reply: RpcReply): boolean {
    if (reply.ok) return this.resolve(id, reply.result);
    return this.reject(id, fromErrorInfo(reply.error));
  }

  resolve(id: number, result: unknown): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    try {
      entry.resolve(entry.decode(result));
    } catch (err) {
      entry.reject(err);
    }
    return true;
  }

  reject(id: number, err: unknown): boolean {
    const entry = this.take(id);
    if (!entry) return false;
    entry.reject(err);
    return true;
  }

  // The line closed: nothing pending can be answered any more.
  failAll(err: unknown): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.reject(err);
    }
  }

  private take(id: number): Entry | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    return entry;
  }
}
