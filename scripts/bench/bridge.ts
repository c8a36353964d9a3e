import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CHROMIUM_EXTENSION_ID } from '../../lib/extension-key';
import { MAX_NATIVE_MESSAGE } from '../../lib/protocol/native';
import { FrameDecoder, encodeFrame } from '../../native-host/common/framing';
import { cliOutput } from '../../testkit/processes';
import type { Cleanup } from './cleanup';

// How long a freshly spawned native-messaging bridge takes to answer its first request
// when the profile's node already runs: what a browser waits for when it connects.

export async function installLauncher(profile: string, userDataDir: string, bootstrap: string): Promise<string> {
  const install = await cliOutput(['install', '--user-data-dir', userDataDir, '--profile', profile, '--bootstrap', bootstrap]);
  if (install.code !== 0) throw new Error(`copybara-host install failed (exit ${install.code}): ${install.stderr}`);
  return join(profile, 'copybara-bridge.sh');
}

/** Spawns the launcher, sends one status request, times the reply, then closes stdin. */
export async function timeBridgeOnce(cleanup: Cleanup, launcher: string, expectNodeId: string, timeoutMs = 15_000): Promise<number> {
  const started = performance.now();
  const child = spawn(launcher, [`chrome-extension://${CHROMIUM_EXTENSION_ID}/`], { stdio: 'pipe' });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = cleanup.defer(`stop bridge ${child.pid}`, async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
    type Reply = { id?: number; ok?: boolean; result?: { nodeId?: string }; error?: unknown };
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`bridge ${launcher}: no reply to status within ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      child.once('error', (err) => (clearTimeout(timer), reject(err)));
      child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`bridge exited (${code}) before replying; stderr: ${stderr}`))));
      child.stdout.on('data', (chunk: Buffer) => {
        for (const f of decoder.push(chunk)) {
          const m = f.ok ? (f.message as Reply) : null;
          if (m?.id === 1) {
            clearTimeout(timer);
            resolve(m);
          }
        }
      });
      child.stdin.write(encodeFrame({ v: 1, id: 1, type: 'status' }, MAX_NATIVE_MESSAGE));
    });
    const ms = performance.now() - started;
    if (!reply.ok || reply.result?.nodeId !== expectNodeId) {
      throw new Error(`bridge answered status with ${JSON.stringify(reply)}, expected node ${expectNodeId}`);
    }
    // EOF is how a browser says goodbye; the bridge exits, the node keeps running.
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    return ms;
  } finally {
    await stop();
  }
}

/** The same measurement for a bare `node -e`: what any Node.js bridge costs at least. */
export async function timeBareNode(cleanup: Cleanup, timeoutMs = 10_000): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("x")'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const stop = cleanup.defer(`stop node ${child.pid}`, async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bare node: no output within ${timeoutMs} ms`)), timeoutMs);
      child.stdout.once('data', () => (clearTimeout(timer), resolve()));
      child.once('error', (err) => (clearTimeout(timer), reject(err)));
    });
    return performance.now() - started;
  } finally {
    await stop();
  }
}
