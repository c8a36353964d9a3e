// throwaway profiling harness (not committed)
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { CLI, cli, tempDir, waitForLine } from '../testkit/processes';
import { Cleanup } from './bench/cleanup';
import { relayPath } from './bench/paths';
import { oneWay, pingPong } from './bench/traffic';

const cleanup = new Cleanup();
const dir = await tempDir('prof');
const t = cli(['testnet'], { name: 'testnet' });
cleanup.defer('t', () => t.stop());
const bootstrap = await waitForLine(t, /^127\.0\.0\.1:\d+/, 20_000, 'testnet');
const start = async (name: string) => {
  const profile = join(dir.path, name);
  const flags = process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/hp-prof'] : [];
  if (process.env.TRACEGC) flags.push('--trace-gc');
  if (process.env.FLAGS) flags.push(...process.env.FLAGS.split(' '));
  const child = spawn(process.execPath, [...flags, CLI, 'node', '--profile', profile, '--bootstrap', bootstrap], { stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.defer(name, async () => { const e = once(child, 'exit'); child.kill('SIGTERM'); await e; });
  let out = '';
  child.stderr.on('data', (d) => { out += d; });
  child.stdout.on('data', (d) => { out += d; if (process.env.TRACEGC) process.stderr.write(`[${name}] ${d}`); });
  while (!/ node [0-9a-z]{52} ready/.test(out)) await new Promise((r) => setTimeout(r, 50));
  return { profile, nodeId: /node ([0-9a-z]{52}) ready/.exec(out)![1]!, pid: child.pid! };
};
const a = await start('a');
const b = await start('b');
const relay = await relayPath(a, b);
await pingPong(relay.path, { roundTrips: 1, warmup: 20, lossTimeoutMs: 1000, budgetMs: 15_000 });
const rt = await pingPong(relay.path, { roundTrips: 3000, warmup: 200, budgetMs: 60_000 });
console.log('rtt', JSON.stringify(rt.rttMs));
for (let i = 0; i < Number(process.env.RUNS ?? 2); i++) {
  const r = await oneWay(relay.path, { targetPps: null, durationMs: 2000, maxCount: 300_000 });
  console.log('max', r.deliveredPps, r.lossPct);
}
const p = await oneWay(relay.path, { targetPps: 20000, durationMs: 2000, maxCount: 300_000 });
console.log('paced', p.deliveredPps, p.lossPct);
await relay.close();
await cleanup.runAll();
await dir.remove();
