import { type Socket, connect } from 'node:net';
import { CopybaraError } from '../../lib/errors';
import { MAX_NATIVE_MESSAGE, NATIVE_VERSION } from '../../lib/protocol/native';
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

// One request, one reply, for the CLI.
export async function requestOnce(socketPath: string, type: string, timeoutMs = 5000, fields: object = {}): Promise<unknown> {
  const socket = await connectNode(socketPath);
  const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
  try {
    return await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(CopybaraError.TIMEOUT(`no reply to "${type}" within ${timeoutMs / 1000} s`)), timeoutMs);
      socket.on('data', (chunk) => {
        for (const f of decoder.push(chunk)) {
          const m = f.ok ? (f.message as { id?: unknown; ok?: unknown; result?: unknown; error?: { message?: string } }) : null;
          if (!m || m.id !== 1) continue;
          clearTimeout(timer);
          if (m.ok) resolve(m.result);
          else reject(new CopybaraError('INTERNAL', m.error?.message ?? 'request failed'));
        }
      });
      socket.on('close', () => reject(new CopybaraError('NODE_UNAVAILABLE', 'the node closed the connection')));
      socket.write(encodeFrame({ ...fields, v: NATIVE_VERSION, id: 1, type }, MAX_NATIVE_MESSAGE));
    });
  } finally {
    socket.destroy();
  }
}
