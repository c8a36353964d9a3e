import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { CopybaraError } from '../../lib/errors';

// One node process per profile: two processes announcing the same key would steal each
// other's calls. The lock is a file holding the owner's pid; a lock whose process is gone is
// stale and taken over.
//
// Every step that changes the lock path is atomic, and a takeover can only happen once per
// stale file, so of any number of processes racing for a stale lock exactly one wins:
// - The pid is written to a private temporary file first and link()ed into place, so the
//   lock never exists half-written (an empty lock would read as stale).
// - A stale lock is never unlinked (between an unlink and a create a second process could
//   do the same and both would win). The right to replace it is claimed by creating,
//   exclusively, a marker named after that very file (device, inode, change time); the
//   claimant re-checks that the lock is still that file and rename()s its own over it,
//   which replaces it with no moment where the path is free.
// - A process that loses the claim waits for the winner's lock to appear and then finds
//   a live owner.
const ATTEMPTS = 50;
const RETRY_MS = 20;
// A takeover takes a few milliseconds; a marker older than this was left by a process that
// died in the middle of one, and would otherwise block every later start.
const ABANDONED_MARKER_MS = 10_000;

export async function acquireLock(path: string): Promise<() => Promise<void>> {
  const mine = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(mine, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (await linked(mine, path)) return release(path);
      const held = await stat(path).catch(() => null);
      if (!held) continue; // released meanwhile: try to link again
      const pid = await readPid(path);
      if (pid !== null && pid !== process.pid && isAlive(pid)) {
        throw new CopybaraError('NODE_UNAVAILABLE', `a node for this profile is already running (pid ${pid})`);
      }
      if (await takeOver(path, held, mine)) return release(path);
      await sleep(RETRY_MS);
    }
    throw new CopybaraError('NODE_UNAVAILABLE', `could not take the lock ${path}: another process kept changing it`);
  } finally {
    await unlink(mine).catch(() => {});
  }
}

async function linked(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

type FileId = { dev: number; ino: number; ctimeMs: number };

// Replaces the stale lock `stale` by our own file, if no other process is doing so.
async function takeOver(path: string, stale: FileId, mine: string): Promise<boolean> {
  const marker = `${path}.takeover-${stale.dev}-${stale.ino}-${Math.round(stale.ctimeMs * 1000)}`;
  try {
    await writeFile(marker, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const age = await stat(marker).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > ABANDONED_MARKER_MS) await unlink(marker).catch(() => {});
    return false;
  }
  try {
    // A process that claimed the marker after an earlier winner removed it finds the lock is
    // no longer the stale file (the winner's file was created while the stale one existed, so
    // it cannot share its inode) and backs off.
    const now = await stat(path).catch(() => null);
    if (!now || now.dev !== stale.dev || now.ino !== stale.ino || now.ctimeMs !== stale.ctimeMs) return false;
    await rename(mine, path);
    return true;
  } finally {
    await unlink(marker).catch(() => {});
  }
}

function release(path: string): () => Promise<void> {
  return async () => {
    const owner = await readPid(path);
    if (owner === process.pid) await unlink(path).catch(() => {});
  };
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
