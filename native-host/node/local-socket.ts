import { chmod, unlink } from 'node:fs/promises';
import { type Server, type Socket, createServer } from 'node:net';
import { MAX_NATIVE_MESSAGE } from '../../lib/protocol/native';
import type { Log } from '../common/log';
import { FrameDecoder, encodeFrame } from '../common/framing';

// The node's door for bridges and the CLI: a Unix socket inside the owner-only profile
// folder, itself owner-only. Frames as on the native port.

export interface LocalClient {
  send(message: unknown): void;
  close(): void;
}

export interface LocalSocketHandlers {
  onMessage(client: LocalClient, message: unknown): void;
  onConnect(client: LocalClient): void;
  onDisconnect(client: LocalClient): void;
}

export async function listenLocal(path: string, handlers: LocalSocketHandlers, log: Log): Promise<Server> {
  // We hold the profile lock, so a socket file left here is a dead node's.
  await unlink(path).catch(() => {});
  const server = createServer((socket) => serve(socket, handlers, log));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(path, 0o600);
  return server;
}

function serve(socket: Socket, handlers: LocalSocketHandlers, log: Log): void {
  const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
  let open = true;
  const client: LocalClient = {
    send(message) {
      if (!open) return;
      try {
        socket.write(encodeFrame(message, MAX_NATIVE_MESSAGE));
      } catch (err) {
        log(`message to client dropped: ${(err as Error).message}`);
      }
    },
    close() {
      socket.end();
    },
  };
  socket.on('data', (chunk) => {
    for (const frame of decoder.push(chunk)) {
      if (frame.ok) handlers.onMessage(client, frame.message);
      else log(`local client sent a bad frame: ${frame.error.message}`);
    }
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    open = false;
    handlers.onDisconnect(client);
  });
  handlers.onConnect(client);
}
