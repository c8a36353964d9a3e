import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../../native-host/node/lock';

// Real processes race for one profile lock. lock.ts is bundled once so each contender is a
// plain `node` that starts in milliseconds; they all wait for the same wall-clock instant
// before calling acquireLock, so their reads, takeovers and writes interleave for real.

const CONTENDERS = 8;
const ROUNDS = 5;
let dir: string;
let bundle: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'copybara-lock-'));
  bundle = join(dir, 'lock.cjs');
  await build({
    entryPoints: [join(__dirname, '../../../native-host/node/lock.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'silent',
  });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// The pid of a process that has exited: a lock naming it is stale.
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

// Each contender prints "won" or the error's code, then keeps its lock (stays alive) until
// told to exit, so a winner's lock is never stale while the others look at it.
const CONTENDER = `
const { acquireLock } = require(process.argv[1]);
const [path, at] = [process.argv[2], Number(process.argv[3])];
while (Date.now() < at) {}
acquireLock(path).then(
  () => console.log('won'),
  (e) => console.log(e && e.code ? e.code : 'THREW ' + String(e)),
);
process.stdin.on('data', () => process.exit(0));
`;

function contender(path: string, at: number): { child: ChildProcess; result: Promise<string> } {
  const child = spawn(process.execPath, ['-e', CONTENDER, bundle, path, String(at)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const result = new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', (code) => reject(new Error(`contender exited (${code}) before answering`)));
  });
  return { child, result };
}

describe('acquireLock', () => {
  it('takes a free lock, refuses a live one with NODE_UNAVAILABLE, and releases', async () => {
    const path = join(dir, 'simple.lock');
    const release = await acquireLock(path);
    expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      await writeFile(join(dir, 'other.lock'), `${live.pid}\n`);
      await expect(acquireLock(join(dir, 'other.lock'))).rejects.toMatchObject({
        code: 'NODE_UNAVAILABLE',
        message: expect.stringContaining(`pid ${live.pid}`),
      });
    } finally {
      live.kill();
    }
    await release();
    await expect(readFile(path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('takes over a stale lock', async () => {
    const path = join(dir, 'stale-one.lock');
    await writeFile(path, `${await deadPid()}\n`);
    const release = await acquireLock(path);
    expect(await readFile(path, 'utf8')).toBe(`${process.pid}\n`);
    await release();
  });

  it(
    `exactly one of ${CONTENDERS} processes racing for a stale lock wins; the others get NODE_UNAVAILABLE`,
    { timeout: 60_000 },
    async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const path = join(dir, `stale-${round}.lock`);
        await writeFile(path, `${await deadPid()}\n`);
        const at = Date.now() + 1500;
        const all = Array.from({ length: CONTENDERS }, () => contender(path, at));
        try {
          const results = await Promise.all(all.map((c) => c.result));
          expect({ round, winners: results.filter((r) => r === 'won').length }).toEqual({ round, winners: 1 });
          expect(results.filter((r) => r !== 'won')).toEqual(Array(CONTENDERS - 1).fill('NODE_UNAVAILABLE'));
          // The lock names the winner, a live process.
          const owner = Number.parseInt(await readFile(path, 'utf8'), 10);
          expect(all[results.indexOf('won')]!.child.pid).toBe(owner);
        } finally {
          for (const c of all) c.child.stdin!.end('exit\n');
          await Promise.all(
            all.map((c) => new Promise((resolve) => (c.child.exitCode !== null ? resolve(null) : c.child.once('exit', resolve)))),
          );
        }
      }
    },
  );
});
