import { join } from 'node:path';
import DHT from 'hyperdht';
import { type Proc, startProcess, waitForLine } from '../../testkit/processes';
import type { Cleanup } from './cleanup';

// What the bench's bare overlay processes (bare-pipe.ts, bare-forwarder.ts) share: how they
// join the testnet, how they run, and how the bench starts them.

// A HyperDHT node on the bench's testnet only (never the public DHT), as the nodes run on a
// loopback testnet (network/hyperdht.ts): bound to loopback, not firewalled. `list` is the
// testnet's 127.0.0.1:<port>[,127.0.0.1:<port>...]; anything else throws `usage`.
export function testnetDht(list: string | undefined, usage: string): DHT {
  const bootstrap = list?.split(',') ?? [];
  if (bootstrap.length === 0 || !bootstrap.every((b) => /^127\.0\.0\.1:\d+$/.test(b))) throw new Error(usage);
  return new DHT({ bootstrap, host: '127.0.0.1', firewalled: false });
}

// Runs a script's main: its failure is one line on stderr and exit code 1; the bench's stop
// (SIGTERM) is a plain exit, so a --cpu-prof profile gets written.
export function runScript(main: () => Promise<void>): void {
  process.once('SIGTERM', () => process.exit(0));
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}

// Starts scripts/bench/<file> (TypeScript, through tsx) and registers its stop with `cleanup`.
export function startScript(cleanup: Cleanup, file: string, args: string[], name: string): { proc: Proc; stop: () => Promise<void> } {
  const proc = startProcess(process.execPath, ['--import', 'tsx', join(import.meta.dirname, file), ...args], { name });
  return { proc, stop: cleanup.defer(`stop ${name}`, () => proc.stop()) };
}

// The first capture of the first output line `pattern` matches (within 20 s).
export async function lineValue(proc: Proc, pattern: RegExp, what: string): Promise<string> {
  return pattern.exec(await waitForLine(proc, pattern, 20_000, what))![1]!;
}
