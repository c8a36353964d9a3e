import { type Socket, connect } from 'node:net';
import { CopybaraError } from '../../lib/errors';
import { MAX_NATIVE_MESSAGE, NATIVE_VERSION, decodeNodeFrame } from '../../lib/protocol/native';
import { PendingRequests } from '../../lib/rpc';
import { FrameDecoder, encodeFrame } from './framing';

// A connection to a running node's local socket, used by the bridge and the CLI.

export function connectNode(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export async function waitForNode(socketPath: string, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      return await connectNode(socketPath);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new CopybaraError('NODE_UNAVAILABLE', `the node did not open ${socketPath} within ${timeoutMs / 1000} s (${String(last)})`);
}

// One request, one reply, for the CLI. An error reply keeps the node's code, so the CLI
// prints "BUSY: …" rather than a generic failure.
export async function requestOnce(socketPath: string, type: string, timeoutMs = 5000, fields: object = {}): Promise<unknown> {
  const socket = await connectNode(socketPath);
  const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
  const pending = new PendingRequests({
    timeoutMs,
    timeoutError: (what, ms) => CopybaraError.TIMEOUT(`no reply to "${what}" within ${ms / 1000} s`),
  });
  try {
    const reply = pending.request(
      type,
      (id) => socket.write(encodeFrame({ ...fields, v: NATIVE_VERSION, id, type }, MAX_NATIVE_MESSAGE)),
      (v) => v,
    );
    socket.on('data', (chunk) => {
      for (const f of decoder.push(chunk)) {
        if (!f.ok) continue;
        let frame;
        try {
          frame = decodeNodeFrame(f.message);
        } catch (err) {
          // A malformed reply still fails its request instead of leaving it to time out.
          const id = (f.message as { id?: unknown } | null)?.id;
          if (typeof id === 'number') pending.reject(id, err);
          continue;
        }
        if (!('event' in frame)) pending.settle(frame.id, frame);
      }
    });
    socket.on('close', () => pending.failAll(new CopybaraError('NODE_UNAVAILABLE', 'the node closed the connection')));
    return await reply;
  } finally {
    socket.destroy();
  }
}
