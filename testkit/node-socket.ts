import type { Socket } from 'node:net';
import { MAX_NATIVE_MESSAGE, NATIVE_VERSION, type NativeRequest, type NativeResults, type NodeEvent } from '../lib/protocol/native';
import { connectNode } from '../native-host/common/node-client';
import { FrameDecoder, encodeFrame } from '../native-host/common/framing';

// A test client on a node's local socket, speaking exactly what a bridge forwards.
export class NodeSocket {
  readonly events: NodeEvent[] = [];
  private _socket: Socket;
  private _next = 1;
  private _pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  private constructor(socket: Socket) {
    this._socket = socket;
    const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        if (!f.ok) continue;
        const m = f.message as { id?: number; ok?: boolean; result?: unknown; error?: { code: string; message: string }; event?: string };
        if (m.event) this.events.push(m as unknown as NodeEvent);
        else if (typeof m.id === 'number') {
          const p = this._pending.get(m.id);
          this._pending.delete(m.id);
          if (m.ok) p?.resolve(m.result);
          else p?.reject(Object.assign(new Error(`${m.error?.code}: ${m.error?.message}`), { code: m.error?.code }));
        }
      }
    });
  }

  static async connect(path: string): Promise<NodeSocket> {
    return new NodeSocket(await connectNode(path));
  }

  request<T extends NativeRequest>(req: T, timeoutMs = 10_000): Promise<NativeResults[T['type']]> {
    const id = this._next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${req.type} within ${timeoutMs} ms`)), timeoutMs);
      this._pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v as NativeResults[T['type']])),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this._socket.write(encodeFrame({ v: NATIVE_VERSION, id, ...req }, MAX_NATIVE_MESSAGE));
    });
  }

  writeRaw(bytes: Uint8Array): void {
    this._socket.write(bytes);
  }

  async waitFor(what: string, match: (e: NodeEvent) => boolean, timeoutMs = 10_000): Promise<NodeEvent> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const hit = this.events.find(match);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`${what}: not seen within ${timeoutMs} ms; events: ${JSON.stringify(this.events.map((e) => (e.event === 'call' ? `${e.call.state}:${e.call.reason}` : e.event)))}`);
  }

  close(): void {
    this._socket.destroy();
  }
}

export function callState(callId: string, state: string, reason?: string) {
  return (e: NodeEvent) => e.event === 'call' && e.call.callId === callId && e.call.state === state && (reason === undefined || e.call.reason === reason);
}
