import { readFile, unlink, writeFile } from 'node:fs/promises';
import { CopybaraError } from '../../lib/errors';

// One node process per profile: two processes announcing the same key would steal each
// other's calls. The lock is a file created exclusively, holding the owner's pid; a lock
// whose process is gone is stale and taken over.
export async function acquireLock(path: string): Promise<() => Promise<void>> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return async () => {
        const owner = await readPid(path);
        if (owner === process.pid) await unlink(path).catch(() => {});
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = await readPid(path);
    if (pid !== null && pid !== process.pid && isAlive(pid)) {
      throw new CopybaraError('NODE_UNAVAILABLE', `a node for this profile is already running (pid ${pid})`);
    }
    await unlink(path).catch(() => {});
  }
  throw new CopybaraError('NODE_UNAVAILABLE', `could not take the lock ${path}`);
}

async function readPid(path: string): Promise<number | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
