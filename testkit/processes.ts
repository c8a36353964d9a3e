import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

// Real processes of the product, started the way a user starts them: the CLI.

export const ROOT = resolve(import.meta.dirname, '..');
export const CLI = join(ROOT, 'native-host/bin/copybara-host.js');

export interface Proc {
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

function track(child: ChildProcess, name: string, echo: boolean): Proc {
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      output.push(line);
      if (echo) process.stderr.write(`[${name}] ${line}\n`);
    });
  }
  let stopping: Promise<void> | null = null;
  return {
    child,
    output,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

export interface ProcOptions {
  name?: string;
  echo?: boolean;
  env?: NodeJS.ProcessEnv;
  // Run inside this network namespace (`ip netns exec`, which execs the program in place).
  netns?: string;
  // Keep a pipe to its stdin (child.stdin) instead of none.
  stdin?: boolean;
}

// Any program, its output lines collected (and echoed to stderr with `echo`).
export function startProcess(file: string, args: string[], opts: ProcOptions = {}): Proc {
  const [bin, argv] = opts.netns === undefined ? [file, args] : ['ip', ['netns', 'exec', opts.netns, file, ...args]];
  const child = spawn(bin, argv, {
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  return track(child, opts.name ?? file, opts.echo ?? false);
}

export function cli(args: string[], opts: ProcOptions = {}): Proc {
  return startProcess(process.execPath, [CLI, ...args], { ...opts, name: opts.name ?? args[0] ?? 'cli' });
}

export async function cliOutput(
  args: string[],
  timeoutMs = 20_000,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code: code ?? -1, stdout, stderr };
}

export async function waitForLine(p: Proc, pattern: RegExp, timeoutMs: number, what: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const hit = p.output.find((l) => pattern.test(l));
    if (hit) return hit;
    if (p.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `${what}: no line matching ${pattern} within ${timeoutMs} ms (exit ${p.child.exitCode}). Output:\n${p.output.join('\n')}`,
  );
}

// `host`: the address the bootstrap nodes listen on and print (default 127.0.0.1);
// `netns`: the network namespace to run them in.
// `relays`: blind relays the testnet runs (default 1, so nodes in private mode can call);
// `size`: bootstrap nodes (default 3).
export async function startTestnet(
  echo = false,
  opts: { host?: string; netns?: string; relays?: number; size?: number } = {},
): Promise<{ proc: Proc; bootstrap: string }> {
  const host = opts.host ?? '127.0.0.1';
  const proc = cli(['testnet', '--host', host, '--relays', String(opts.relays ?? 1), '--size', String(opts.size ?? 3)], {
    name: 'testnet',
    echo,
    netns: opts.netns,
  });
  const bootstrap = await waitForLine(proc, new RegExp(`^${host.replaceAll('.', '\\.')}:\\d+`), 20_000, 'testnet');
  return { proc, bootstrap };
}

// `args`: more options for `node` (e.g. --relay); `netns`: run it in that network namespace;
// `readyMs`: how long to wait for its ready line.
export async function startNode(
  profile: string,
  bootstrap: string,
  name: string,
  echo = false,
  opts: { args?: string[]; netns?: string; readyMs?: number } = {},
): Promise<{ proc: Proc; nodeId: string }> {
  const proc = cli(['node', '--profile', profile, '--bootstrap', bootstrap, ...(opts.args ?? [])], { name, echo, netns: opts.netns });
  const ready = await waitForLine(proc, / node [0-9a-z]{52} ready/, opts.readyMs ?? 20_000, `node ${name}`);
  return { proc, nodeId: /node ([0-9a-z]{52}) ready/.exec(ready)![1]! };
}

export async function tempDir(prefix: string): Promise<{ path: string; remove(): Promise<void> }> {
  // Short paths: a Unix socket path must fit in 107 bytes.
  const path = await mkdtemp(join(tmpdir(), `cb-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
