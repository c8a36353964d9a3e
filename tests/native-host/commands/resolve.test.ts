import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimulatedChain, startSimulatedChain } from '../../../testkit/sim-chain';
import { BOB_ID, BOB_STAEX, closedPortUrl } from '../../../testkit/names';
import { cliOutput } from '../../../testkit/processes';

// `copybara-host resolve` as a person runs it, against the SIMULATED contract chain.

let sim: SimulatedChain;
let dir: string;

function run(args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliOutput(args, timeoutMs, { COPYBARA_PROFILE: join(dir, 'unused') });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'copybara-resolve-cli-'));
  sim = await startSimulatedChain({
    names: { bob: { records: { 'copybara-id': BOB_ID, 'staex-id': BOB_STAEX } }, carol: {} },
  });
});
afterAll(async () => {
  await sim?.close();
  await rm(dir, { recursive: true, force: true });
});

// Each run starts Node, tsx and polkadot.js (1-2 s, more on a busy machine).
describe('copybara-host resolve', { timeout: 90_000 }, () => {
  it('prints the node ids and "verified just now", then answers from its cache file', async () => {
    const profile = join(dir, 'p1');
    const first = await run(['resolve', 'bob.azero', '--endpoint', sim.url, '--profile', profile]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(`copybara-id ${BOB_ID}\nstaex-id ${BOB_STAEX}\nverified just now\n`);
    expect((await stat(join(profile, 'names-cache.json'))).mode & 0o777).toBe(0o600);

    const calls = sim.stats.contractCalls;
    const second = await run(['resolve', 'BOB.a0', `--endpoint=${sim.url}`, '--profile', profile]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^copybara-id \S+\nstaex-id \S+\nverified just now \(cached\)\n$/);
    expect(sim.stats.contractCalls).toBe(calls);
  });

  it('falls back to the cache file when the chain is down, and says so', async () => {
    const profile = join(dir, 'p2');
    expect((await run(['resolve', 'bob.azero', '--endpoint', sim.url, '--profile', profile])).code).toBe(0);
    // Three hours pass (the 10 min TTL with them), then the chain goes away.
    const file = join(profile, 'names-cache.json');
    const data = JSON.parse(await readFile(file, 'utf8'));
    data.entries['bob.azero'].verifiedAt -= 3 * 3_600_000;
    await writeFile(file, JSON.stringify(data));
    await sim.down();
    try {
      const r = await run(['resolve', 'bob.azero', '--endpoint', sim.url, '--profile', profile]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(
          `^copybara-id ${BOB_ID}\\nstaex-id ${BOB_STAEX}\\nfrom cache, last verified \\S+Z \\(3 h ago\\): The name service could not be reached at ${sim.url.replace(/\./g, '\\.')}: connection refused\\n$`,
        ),
      );
    } finally {
      await sim.up();
    }
  });

  it('explains a failed lookup in words and exits 1', async () => {
    const profile = join(dir, 'p3');
    const notRegistered = await run(['resolve', 'nobody.azero', '--endpoint', sim.url, '--profile', profile]);
    expect(notRegistered).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'copybara-host: nobody.azero is not registered (or has expired)\n',
    });
    const noId = await run(['resolve', 'carol.azero', '--endpoint', sim.url, '--profile', profile]);
    expect(noId).toMatchObject({
      code: 1,
      stderr: 'copybara-host: carol.azero is registered but has no node id (no copybara-id or staex-id record)\n',
    });
    const dead = await closedPortUrl();
    const down = await run(['resolve', 'bob.azero', '--endpoint', dead, '--profile', profile]);
    expect(down).toMatchObject({
      code: 1,
      stderr: `copybara-host: The name service could not be reached at ${dead}: connection refused\n`,
    });
  });

  it('tries endpoints in order: repeated and comma-separated --endpoint', async () => {
    const profile = join(dir, 'p4');
    const [a, b] = [await closedPortUrl(), await closedPortUrl()];
    const r = await run(['resolve', 'bob.azero', '--endpoint', `${a},${b}`, '--endpoint', sim.url, '--profile', profile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`copybara-id ${BOB_ID}`);
  });

  it('refuses an unusable name or endpoint with exit 2, before any network', async () => {
    const profile = join(dir, 'p5');
    expect(await run(['resolve', 'bob.eth', '--profile', profile])).toMatchObject({
      code: 2,
      stderr: 'copybara-host: "bob.eth" is not an AZERO.ID name: ".eth" is not one of .azero, .a0 or .tzero\n',
    });
    expect((await run(['resolve', '0xdead.azero', '--profile', profile])).stderr).toMatch(/looks like hex bytes/);
    expect((await run(['resolve', 'bob.azero', '--endpoint', 'http://127.0.0.1:1', '--profile', profile])).code).toBe(2);
    expect((await run(['resolve', '--profile', profile])).code).toBe(2);
  });
});
