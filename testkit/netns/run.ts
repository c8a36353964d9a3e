import { execFile } from 'node:child_process';

// Every command the lab runs goes through here: a non-zero exit is an error that names the
// command and quotes its stderr, so a half-built lab never passes for a whole one.

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly stderr: string,
    readonly code: number | string | null,
  ) {
    super(`"${command}" failed (exit ${code ?? 'unknown'}): ${stderr.trim() || '(no stderr)'}`);
  }
}

export function run(file: string, args: string[], timeoutMs = 15_000): Promise<string> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException & { code?: number | string }).code ?? null;
      const why = err.killed ? `killed after ${timeoutMs} ms. ${stderr}` : stderr || err.message;
      reject(new CommandError(command, why, code));
    });
  });
}

// `ip …`, `iptables …`, `sysctl …` inside one namespace.
export function runIn(ns: string, file: string, args: string[]): Promise<string> {
  return run('ip', ['netns', 'exec', ns, file, ...args]);
}
