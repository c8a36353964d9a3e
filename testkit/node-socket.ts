import type { Socket } from 'node:net';
import { MAX_NATIVE_MESSAGE, NATIVE_VERSION, type NativeRequest, type NativeResults, type NodeEvent } from '../lib/protocol/native';
import { connectNode } from '../native-host/common/node-client';
import { FrameDecoder, encodeFrame } from '../native-host/common/framing';
import { errorInfoFrom } from '../lib/errors';
import { PendingRequests } from '../lib/rpc';

// A test client on a node's local socket, speaking exactly what a bridge forwards.
export class NodeSocket {
  readonly events: NodeEvent[] = [];
  private _socket: Socket;
  private _pending = new PendingRequests({
    timeoutMs: 10_000,
    timeoutError: (type, ms) => new Error(`no reply to ${type} within ${ms} ms`),
  });

  private constructor(socket: Socket) {
    this._socket = socket;
    const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        if (!f.ok) continue;
        const m = f.message as { id?: number; ok?: boolean; result?: unknown; error?: { code: string; message: string }; event?: string };
        if (m.event) this.events.push(m as unknown as NodeEvent);
        else if (typeof m.id === 'number') {
          // Raw on purpose (tests look at what the node really sends), but an error reply
          // is rethrown with its code like every other client does.
          this._pending.settle(
            m.id,
            m.ok
              ? { ok: true, result: m.result }
              : { ok: false, error: errorInfoFrom(m.error?.code ?? 'INTERNAL', m.error?.message ?? '') },
          );
        }
      }
    });
    socket.on('close', () => this._pending.failAll(new Error('the node closed the connection')));
  }

  static async connect(path: string): Promise<NodeSocket> {
    return new NodeSocket(await connectNode(path));
  }

  request<T extends NativeRequest>(req: T, timeoutMs = 10_000): Promise<NativeResults[T['type']]> {
    const send = (id: number) => void this._socket.write(encodeFrame({ v: NATIVE_VERSION, id, ...req }, MAX_NATIVE_MESSAGE));
    return this._pending.request(req.type, send, (v) => v as NativeResults[T['type']], { timeoutMs });
  }

  writeRaw(bytes: Uint8Array): void {
    this._socket.write(bytes);
  }

  // The first event that matches, among those from index `since` of `events` on.
  async waitFor(what: string, match: (e: NodeEvent) => boolean, timeoutMs = 10_000, since = 0): Promise<NodeEvent> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.events.slice(since).find(match);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(
      `${what}: not seen within ${timeoutMs} ms; events: ${JSON.stringify(this.events.map((e) => (e.event === 'call' ? `${e.call.state}:${e.call.reason}` : e.event)))}`,
    );
  }

  close(): void {
    this._socket.destroy();
  }
}

export function callState(callId: string, state: string, reason?: string) {
  return (e: NodeEvent) =>
    e.event === 'call' && e.call.callId === callId && e.call.state === state && (reason === undefined || e.call.reason === reason);
}
