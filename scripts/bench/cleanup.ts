import type { Proc } from '../../testkit/processes';
import { leftovers } from '../../testkit/leftovers';
// What the benchmark started, stopped in reverse order whatever happens: a normal end, a
// failure, or Ctrl-C. Each step is bounded so one stuck process cannot keep the others alive.

type Step = { what: string; run: () => Promise<void> | void };

export class Cleanup {
  private steps: Step[] = [];
  private running: Promise<string[]> | null = null;

  /** Registers a step; returns a function that runs it now (once) and unregisters it. */
  defer(what: string, run: () => Promise<void> | void): () => Promise<void> {
    const step: Step = { what, run };
    this.steps.push(step);
    return async () => {
      const i = this.steps.indexOf(step);
      if (i < 0) return;
      this.steps.splice(i, 1);
      await bounded(what, run, 20_000);
    };
  }

  /** Runs every remaining step, newest first; resolves with the errors (never rejects). */
  runAll(): Promise<string[]> {
    this.running ??= (async () => {
      const errors: string[] = [];
      while (this.steps.length > 0) {
        const step = this.steps.pop()!;
        try {
          await bounded(step.what, step.run, 20_000);
        } catch (err) {
          errors.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return errors;
    })();
    return this.running;
  }
}

export async function bounded<T>(what: string, run: () => Promise<T> | T, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      Promise.resolve().then(run),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: did not finish within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${line}\n`);
}

/**
 * Waits up to 10 s for the processes the bench started (`spawned`, by their ChildProcess
 * state, so no pid reuse) and anything naming `marker` (its temp folder) to be gone, then
 * SIGKILLs what is left; returns what had to be killed.
 */
export async function killLeftovers(marker: string, spawned: readonly Proc[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  let left: string[] = [];
  const alive = () => spawned.filter((p) => p.child.exitCode === null && p.child.signalCode === null && p.child.pid !== undefined);
  do {
    left = [
      ...(await leftovers(marker)),
      ...alive().map((p) => `${p.child.pid}: ${p.child.spawnargs.slice(1, 3).join(' ')} (spawned by the bench)`),
    ];
    if (left.length === 0) return [];
    await sleep(200);
  } while (Date.now() < deadline);
  // Still there after 10 s: these are ours (they name our temp folder or we spawned them).
  for (const line of left) {
    const pid = Number(line.split(':')[0]);
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return left;
}
