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
