import { randomBytes } from 'node:crypto';
import { run } from './run';

// Namespace names of a lab: `cbnat-<pid>-<random>-<role>`. The pid tells a later lab whether
// the one that made a namespace still runs: if not, the namespace is a leftover and goes.
export const PREFIX = 'cbnat-';

export function newLabId(): string {
  return `${PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, only not ours to signal.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function listNamespaces(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  // Lines are `NAME` or `NAME (id: N)`.
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

// Removes the namespaces of labs whose process is gone; labs of live processes (tests running
// in parallel) are left alone. Returns what it removed.
export async function removeStaleNamespaces(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((name) => {
    const m = new RegExp(`^${PREFIX}(\\d+)-`).exec(name);
    return m !== null && !alive(Number(m[1]));
  });
  for (const name of stale) await run('ip', ['netns', 'del', name]);
  return stale;
}
