import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { toErrorInfo } from '../../lib/errors';
import { MAX_NATIVE_MESSAGE, NATIVE_VERSION, decodeRequest } from '../../lib/protocol/native';
import { formatBootstrap, type HostPort } from '../common/bootstrap';
import type { Log } from '../common/log';
import { connectNode, waitForNode } from '../common/node-client';
import type { Profile } from '../common/profile';
import { FrameDecoder, encodeFrame } from '../common/framing';

export interface BridgeOptions {
  profile: Profile;
  bootstrap: HostPort[] | null;
  cliPath: string;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  log: Log;
}

// The native-messaging host the browser starts: it attaches to the profile's node, starting
// it when none runs, and passes checked messages both ways. It holds no state, so the
// browser can restart it at will; the node and its calls outlive it.
export async function runBridge(o: BridgeOptions): Promise<number> {
  const node = await attach(o);
  const toBrowser = (message: unknown) => {
    try {
      o.output.write(encodeFrame(message, MAX_NATIVE_MESSAGE));
    } catch (err) {
      // Chromium drops a host that sends more than 1 MiB; dropping one message is better.
      o.log(`message to the browser dropped: ${(err as Error).message}`);
    }
  };

  const fromNode = new FrameDecoder(MAX_NATIVE_MESSAGE);
  node.on('data', (chunk) => {
    for (const f of fromNode.push(chunk)) {
      if (f.ok) toBrowser(f.message);
      else o.log(`bad frame from the node: ${f.error.message}`);
    }
  });

  const fromBrowser = new FrameDecoder(MAX_NATIVE_MESSAGE);
  o.input.on('data', (chunk: Buffer) => {
    for (const f of fromBrowser.push(chunk)) {
      if (!f.ok) {
        o.log(`bad message from the browser: ${f.error.message}`);
        continue;
      }
      try {
        const request = decodeRequest(f.message);
        node.write(encodeFrame(request, MAX_NATIVE_MESSAGE));
      } catch (err) {
        o.log(`request from the browser rejected: ${(err as Error).message}`);
        const id = (f.message as { id?: unknown } | null)?.id;
        if (typeof id === 'number') toBrowser({ v: NATIVE_VERSION, id, ok: false, error: toErrorInfo(err) });
      }
    }
  });

  return new Promise((resolve) => {
    // EOF on stdin: the browser closed the port.
    o.input.on('end', () => {
      node.end();
      resolve(0);
    });
    node.on('close', () => {
      o.log('the node went away');
      resolve(1);
    });
    node.on('error', () => {});
  });
}

async function attach(o: BridgeOptions): Promise<Socket> {
  try {
    return await connectNode(o.profile.socketPath);
  } catch {
    startNode(o);
    return waitForNode(o.profile.socketPath, 15_000);
  }
}

function startNode(o: BridgeOptions): void {
  // The node keeps its log file under a size itself; its stderr (what Node prints if it
  // crashes) goes to the same file.
  const args = [o.cliPath, 'node', '--profile', o.profile.dir, '--idle-exit', '60', '--log-file', o.profile.logFile];
  if (o.bootstrap) args.push('--bootstrap', formatBootstrap(o.bootstrap));
  const logFd = openSync(o.profile.logFile, 'a', 0o600);
  // Detached, in its own session: the node must survive this bridge and the browser.
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  child.unref();
  o.log(`started the node (pid ${child.pid}); its log is ${o.profile.logFile}`);
}
