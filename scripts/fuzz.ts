import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { type Json, mutateBytes, mutateJson, rng } from './fuzz/mutate';
import { type FuzzTarget, TARGETS } from './fuzz/targets';

// `npm run fuzz`: every decoder in scripts/fuzz/targets.ts gets FUZZ_COUNT inputs (default
// 100,000): its seed corpus (testkit/fuzz-corpus/<target>/, each of which must decode), then
// mutations of it from a seeded PRNG. It fails, printing the input in hex, on
//  - a crash: anything thrown that is not the decoder's documented coded error;
//  - a hang: an input that takes more than FUZZ_MAX_MS (default 50) three times running, or
//    a target that stops reporting for 10 s (an endless loop: caught by running each target
//    in a worker and reading the input it was given from shared memory).
// Env: FUZZ_COUNT, FUZZ_SEED (default printed, so a failure can be replayed), FUZZ_MAX_MS,
// FUZZ_TARGETS=links,stun (a subset), FUZZ_JSON=1 (one JSON report instead of a table).

const CORPUS = join(import.meta.dirname, '..', 'testkit', 'fuzz-corpus');
const INPUT_CAP = 1 << 20;
const STALL_MS = 10_000;
const PROGRESS_EVERY = 2_000;

interface Job {
  target: string;
  count: number;
  seed: string;
  maxMs: number;
  shared: SharedArrayBuffer;
}

type Report =
  | { kind: 'progress'; done: number }
  | { kind: 'done'; inputs: number; ms: number; slowestMs: number }
  | { kind: 'fail'; what: 'crash' | 'hang' | 'bad-seed'; hex: string; error: string; index: number };

interface Result {
  target: string;
  inputs: number;
  seconds: number;
  perSecond: number;
  slowestMs: number;
  failure: Extract<Report, { kind: 'fail' }> | null;
}

function seeds(target: FuzzTarget): Uint8Array[] {
  const dir = join(CORPUS, target.name);
  const files = readdirSync(dir).sort();
  const out = files.map((f) => {
    const raw = readFileSync(join(dir, f), 'utf8');
    if (f.endsWith('.hex')) return Uint8Array.from(Buffer.from(raw.trim(), 'hex'));
    if (f.endsWith('.json')) return new TextEncoder().encode(JSON.stringify(JSON.parse(raw)));
    return new TextEncoder().encode(raw.replace(/\n$/, ''));
  });
  if (out.length === 0) throw new Error(`no seeds in ${dir}`);
  return out;
}

// ---- worker: one target ---------------------------------------------------------------

function work(job: Job): void {
  const post = (r: Report) => parentPort!.postMessage(r);
  const target = TARGETS.find((t) => t.name === job.target)!;
  const corpus = seeds(target);
  const parsed = target.input === 'json' ? corpus.map((s) => JSON.parse(new TextDecoder().decode(s)) as Json) : [];
  const r = rng(`${job.seed}/${target.name}`);
  const length = new Int32Array(job.shared, 0, 1);
  const bytes = new Uint8Array(job.shared, 8);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const encoder = new TextEncoder();

  const runOnce = (input: Uint8Array): { ms: number; error: unknown; threw: boolean } => {
    const t0 = performance.now();
    try {
      target.run(input);
      return { ms: performance.now() - t0, error: null, threw: false };
    } catch (error) {
      return { ms: performance.now() - t0, error, threw: true };
    }
  };

  const started = performance.now();
  let slowestMs = 0;
  for (let i = 0; i < job.count; i++) {
    let input: Uint8Array;
    if (i < corpus.length) input = corpus[i]!;
    else {
      const a = r() % corpus.length;
      const b = r() % corpus.length;
      input =
        target.input === 'json'
          ? encoder.encode(JSON.stringify(mutateJson(r, parsed[a]!, parsed[b]!)))
          : mutateBytes(r, corpus[a]!, corpus[b]!);
    }
    const n = Math.min(input.length, INPUT_CAP);
    bytes.set(input.subarray(0, n));
    Atomics.store(length, 0, n);

    const out = runOnce(input);
    // A seed is a valid message: it must decode.
    if (i < corpus.length && out.threw)
      return post({ kind: 'fail', what: 'bad-seed', hex: hex(input), error: describe(out.error), index: i });
    if (out.threw && !target.expected(out.error))
      return post({ kind: 'fail', what: 'crash', hex: hex(input), error: describe(out.error), index: i });
    // A slow run may be the garbage collector, or this thread waiting for a core (two cores,
    // other work): an input is a hang only if it is slow three times running, by the clock
    // and in CPU time both.
    let ms = out.ms;
    for (let again = 0; again < 2 && ms > job.maxMs; again++) {
      const cpu = process.cpuUsage();
      const retry = runOnce(input);
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      ms = Math.min(ms, Math.min(retry.ms, cpuMs));
    }
    if (ms > job.maxMs)
      return post({ kind: 'fail', what: 'hang', hex: hex(input), error: `took ${ms.toFixed(1)} ms (limit ${job.maxMs} ms)`, index: i });
    slowestMs = Math.max(slowestMs, ms);
    if ((i + 1) % PROGRESS_EVERY === 0) post({ kind: 'progress', done: i + 1 });
  }
  post({ kind: 'done', inputs: job.count, ms: performance.now() - started, slowestMs });
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 6).join('\n') ?? ''}`;
  return `a thrown ${typeof err}: ${String(err)}`;
}

// ---- main: one worker per target, a watchdog each -------------------------------------

function runTarget(target: FuzzTarget, job: Omit<Job, 'target' | 'shared'>): Promise<Result> {
  const shared = new SharedArrayBuffer(8 + INPUT_CAP);
  const started = performance.now();
  // Workers do not inherit tsx's loader; this bootstrap registers it, then loads this file.
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: { ...job, target: target.name, shared } satisfies Job });
  return new Promise((resolve) => {
    let inputs = 0;
    let finished = false;
    const finish = (r: Omit<Result, 'target' | 'seconds' | 'perSecond'> & { ms?: number }) => {
      if (finished) return;
      finished = true;
      clearInterval(watchdog);
      void worker.terminate();
      const seconds = (r.ms ?? performance.now() - started) / 1000;
      resolve({
        target: target.name,
        inputs: r.inputs,
        seconds,
        perSecond: Math.round(r.inputs / Math.max(seconds, 1e-9)),
        slowestMs: r.slowestMs,
        failure: r.failure,
      });
    };
    let lastHeard = performance.now();
    const watchdog = setInterval(() => {
      if (performance.now() - lastHeard < STALL_MS) return;
      const n = Atomics.load(new Int32Array(shared, 0, 1), 0);
      const hex = Buffer.from(new Uint8Array(shared, 8, n)).toString('hex');
      finish({
        inputs,
        slowestMs: STALL_MS,
        failure: {
          kind: 'fail',
          what: 'hang',
          hex,
          error: `no progress for ${STALL_MS / 1000} s on this input (the one being decoded when the watchdog fired, after #${inputs})`,
          index: inputs,
        },
      });
    }, 500);
    worker.on('message', (m: Report) => {
      lastHeard = performance.now();
      if (m.kind === 'progress') inputs = m.done;
      else if (m.kind === 'done') finish({ inputs: m.inputs, ms: m.ms, slowestMs: m.slowestMs, failure: null });
      else finish({ inputs: m.index, slowestMs: 0, failure: m });
    });
    worker.on('error', (err) =>
      finish({
        inputs,
        slowestMs: 0,
        failure: { kind: 'fail', what: 'crash', hex: '', error: `the worker failed: ${describe(err)}`, index: inputs },
      }),
    );
    worker.on('exit', () =>
      finish({
        inputs,
        slowestMs: 0,
        failure: { kind: 'fail', what: 'crash', hex: '', error: 'the worker exited before finishing', index: inputs },
      }),
    );
  });
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`${name} must be a whole number above 0, not ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const count = positive('FUZZ_COUNT', 100_000);
  const maxMs = positive('FUZZ_MAX_MS', 50);
  const seed = process.env.FUZZ_SEED || 'copybara-fuzz-1';
  const only = (process.env.FUZZ_TARGETS ?? '').split(',').filter((s) => s !== '');
  const unknown = only.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) {
    console.error(`unknown fuzz target(s): ${unknown.join(', ')}; known: ${TARGETS.map((t) => t.name).join(', ')}`);
    process.exit(2);
  }
  const asJson = process.env.FUZZ_JSON === '1';
  if (!asJson)
    console.log(`fuzz: seed ${JSON.stringify(seed)} (FUZZ_SEED), ${count} inputs per target (FUZZ_COUNT), hang above ${maxMs} ms`);
  const results: Result[] = [];
  for (const target of TARGETS.filter((t) => only.length === 0 || only.includes(t.name))) {
    const r = await runTarget(target, { count, seed, maxMs });
    results.push(r);
    if (!asJson) {
      const status = r.failure ? `FAILED (${r.failure.what})` : 'ok';
      console.log(
        `${r.target.padEnd(26)} ${String(r.inputs).padStart(8)} inputs ${r.seconds.toFixed(1).padStart(6)} s ${String(r.perSecond).padStart(8)}/s  slowest ${r.slowestMs.toFixed(2)} ms  ${status}`,
      );
    }
  }
  const failed = results.filter((r) => r.failure);
  if (asJson) console.log(JSON.stringify({ seed, count, maxMs, results }, null, 1));
  for (const r of failed) {
    const f = r.failure!;
    console.error(`\n${r.target}: ${f.what} on input #${f.index}\n  input (hex): ${f.hex}\n  ${f.error.replace(/\n/g, '\n  ')}`);
    console.error(`  replay: FUZZ_SEED=${JSON.stringify(seed)} FUZZ_TARGETS=${r.target} npm run fuzz`);
  }
  process.exit(failed.length > 0 ? 1 : 0);
}

if (isMainThread) await main();
else work(workerData as Job);
