import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

// A relay runs on a machine of its own, never on the endpoints' CPU. On a bench machine that
// hosts both, the relay process would otherwise wait for the CPU the endpoints keep busy, and
// that wait would be counted as what the relay adds. With COPYBARA_BENCH_PIN=1 the endpoints'
// process gets the first CPU and the relay the second (all their threads, with taskset). Off by
// default: on a machine busy with other work, one CPU for the endpoints costs them more than
// the relay gains.
export interface Pinning {
  how: string;
  undo(): Promise<void>;
}

export async function pinApart(endpointsPid: number, relayPid: number): Promise<Pinning> {
  const count = cpus().length;
  if (process.env.COPYBARA_BENCH_PIN !== '1') return { how: 'not pinned (COPYBARA_BENCH_PIN=1 pins)', undo: async () => {} };
  if (count < 2) return { how: 'not pinned: one CPU', undo: async () => {} };
  try {
    await run('taskset', ['-a', '-p', '-c', '0', String(endpointsPid)]);
    await run('taskset', ['-a', '-p', '-c', '1', String(relayPid)]);
  } catch (err) {
    return { how: `not pinned: taskset failed (${(err as Error).message.split('\n')[0]})`, undo: async () => {} };
  }
  return {
    how: 'endpoints (this process) on CPU 0, the relay process on CPU 1 (taskset -a)',
    async undo() {
      await run('taskset', ['-a', '-p', '-c', `0-${count - 1}`, String(endpointsPid)]).catch(() => {});
    },
  };
}
