import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../../../lib/node-id';
import { Mcc, mccCommand } from '../../../../native-host/node/network/mcc';
import { MccError } from '../../../../native-host/node/network/mcc-output';

// Real processes: each case is a small shell script standing where mcc would, printing what
// mcc might print and exiting as it might.
const ID = encodeNodeId(new Uint8Array(32).fill(9));
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'copybara-mcc-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string, mode = 0o700): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, mode);
  return path;
}

async function failure(run: Promise<unknown>): Promise<MccError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof MccError) return err;
    throw err;
  }
  throw new Error('expected an MccError, the command succeeded');
}

describe('mccCommand', () => {
  it('splits COPYBARA_MCC on spaces, and defaults to mcc on PATH', () => {
    expect(mccCommand('docker exec mcc mcc')).toEqual(['docker', 'exec', 'mcc', 'mcc']);
    expect(mccCommand('  /opt/mcc/bin/mcc  ')).toEqual(['/opt/mcc/bin/mcc']);
    expect(mccCommand(undefined)).toEqual(['mcc']);
    expect(mccCommand('   ')).toEqual(['mcc']);
  });
});

describe('Mcc', () => {
  it('passes its arguments after the configured ones, without a shell', async () => {
    const echo = await script('echo-args', `[ "$1" = inner ] && [ "$2" = resolve ] && [ "$3" = '${ID}' ] && echo 10.9.8.7`);
    const mcc = new Mcc({ command: [echo, 'inner'] });
    expect(await mcc.resolve(ID)).toBe('10.9.8.7');
    const id = await script('id', `[ "$1" = id ] && echo ${ID}`);
    expect(await new Mcc({ command: [id] }).id()).toBe(ID);
  });

  it('says mcc is not installed when the command does not exist', async () => {
    const err = await failure(new Mcc({ command: [join(dir, 'no-such-mcc')] }).id());
    expect(err.kind).toBe('not-installed');
    expect(err.message).toMatch(/no-such-mcc id` was not found/);
    expect(err.fix).toMatch(/Install mcc-public.*COPYBARA_MCC/);
  });

  it('says mcc is not installed when a container has no mcc (exit 127)', async () => {
    const s = await script('container-without', 'echo "exec: \\"mcc\\": executable file not found in $PATH" >&2; exit 127');
    expect((await failure(new Mcc({ command: [s] }).id())).kind).toBe('not-installed');
  });

  it('says permission is missing when the file may not be run', async () => {
    const s = await script('not-executable', `echo ${ID}`, 0o600);
    const err = await failure(new Mcc({ command: [s] }).id());
    expect(err.kind).toBe('no-permission');
    expect(err.fix).toMatch(/docker/);
  });

  it('says permission is missing when the daemon refuses us', async () => {
    const s = await script(
      'docker-denied',
      'echo "permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock" >&2; exit 1',
    );
    const err = await failure(new Mcc({ command: [s] }).id());
    expect(err.kind).toBe('no-permission');
    expect(err.message).toMatch(/permission denied while trying/);
  });

  it.each([
    ['a stopped container', 'Error response from daemon: container 4f2a is not running'],
    ['a missing container', 'Error response from daemon: No such container: mcc'],
    ['a stopped daemon', 'error: connection refused (os error 111)'],
  ])('says mcc is not running for %s', async (_what, said) => {
    const s = await script(`down-${said.length}`, `echo "${said}" >&2; exit 1`);
    const err = await failure(new Mcc({ command: [s] }).id());
    expect(err.kind).toBe('not-running');
    expect(err.message).toContain(said);
    expect(err.fix).toMatch(/Start mcc-public/);
  });

  it('says mcc is not running when it hangs, and kills it', async () => {
    const s = await script('hang', 'exec sleep 30');
    const err = await failure(new Mcc({ command: [s], timeoutMs: 300 }).id());
    expect(err.kind).toBe('not-running');
    expect(err.message).toMatch(/did not answer within 0.3 s/);
  });

  it('reports any other exit status with what mcc said', async () => {
    const s = await script('unknown-id', 'echo "unknown node" >&2; exit 3');
    const err = await failure(new Mcc({ command: [s] }).resolve(ID));
    expect(err.kind).toBe('failed');
    expect(err.message).toMatch(/failed with exit status 3: unknown node/);
  });

  it('refuses endless output', async () => {
    const s = await script('chatty', 'yes 10.0.0.1');
    const err = await failure(new Mcc({ command: [s] }).resolve(ID));
    expect(err.kind).toBe('failed');
    expect(err.message).toMatch(/printed more than/);
  });

  it('refuses output that is not one address, even on exit status 0', async () => {
    const s = await script('two', 'echo 10.0.0.1; echo 10.0.0.2');
    expect((await failure(new Mcc({ command: [s] }).resolve(ID))).message).toMatch(/printed 2 lines/);
  });
});
