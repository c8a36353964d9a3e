import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NATIVE_MESSAGE } from '../../lib/protocol/native';
import { FrameDecoder, encodeFrame } from '../../native-host/common/framing';
import { until } from '../../testkit/call-checks';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { type Proc, cliOutput, startTestnet, tempDir } from '../../testkit/processes';

// The native-messaging host as a browser runs it: the launcher `install` writes, stdio with
// 4-byte length framing, the caller's origin as argument.

let testnet: Proc;
let bootstrap: string;
let dir: { path: string; remove(): Promise<void> };
let profile: string;

interface Bridge {
  child: ChildProcessWithoutNullStreams;
  replies: unknown[];
  stderr: string[];
  send(message: unknown): void;
}

function startBridge(): Bridge {
  const child = spawn(join(profile, 'copybara-bridge.sh'), ['chrome-extension://bchnmjmoapeeeljpgjibfgenagehndgd/'], { stdio: 'pipe' });
  const decoder = new FrameDecoder(MAX_NATIVE_MESSAGE);
  const replies: unknown[] = [];
  const stderr: string[] = [];
  child.stdout.on('data', (c: Buffer) => {
    for (const f of decoder.push(c)) replies.push(f.ok ? f.message : { frameError: f.error.code });
  });
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  return { child, replies, stderr, send: (m) => child.stdin.write(encodeFrame(m, MAX_NATIVE_MESSAGE)) };
}

function reply(b: Bridge, id: number) {
  return until(
    `reply ${id}`,
    20_000,
    async () => b.replies.find((r) => (r as { id?: number }).id === id),
    (r) => r !== undefined,
  ) as Promise<{
    ok: boolean;
    result?: { nodeId: string };
    error?: { code: string; message: string };
  }>;
}

beforeAll(async () => {
  dir = await tempDir('bridge');
  profile = join(dir.path, 'p');
  ({ proc: testnet, bootstrap } = await startTestnet());
  const install = await cliOutput([
    'install',
    '--user-data-dir',
    join(dir.path, 'chromium'),
    '--profile',
    profile,
    '--bootstrap',
    bootstrap,
  ]);
  expect(install.code, install.stderr).toBe(0);
});

afterAll(async () => {
  await cliOutput(['stop', '--profile', profile]);
  await testnet?.stop();
  await expectNoLeftovers(dir.path);
  await dir?.remove();
});

describe('native-messaging bridge', () => {
  it('writes an owner-only profile, a launcher and a manifest naming the pinned extension', async () => {
    const manifest = JSON.parse(await readFile(join(dir.path, 'chromium/NativeMessagingHosts/network.copybara.host.json'), 'utf8'));
    expect(manifest).toMatchObject({
      name: 'network.copybara.host',
      type: 'stdio',
      allowed_origins: ['chrome-extension://bchnmjmoapeeeljpgjibfgenagehndgd/'],
    });
    expect(manifest.path).toBe(join(profile, 'copybara-bridge.sh'));
    expect((await stat(profile)).mode & 0o777).toBe(0o700);
  });

  it('starts the node when none runs, answers requests, and rejects bad messages without dying', async () => {
    const b = startBridge();
    b.send({ v: 1, id: 1, type: 'status' });
    const first = await reply(b, 1);
    expect(first.ok, JSON.stringify(first)).toBe(true);
    const { stdout: id } = await cliOutput(['id', '--profile', profile]);
    expect(first.result!.nodeId).toBe(id.trim());
    expect((await stat(join(profile, 'identity.json'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(profile, 'node.sock'))).mode & 0o777).toBe(0o600);

    b.send({ v: 1, id: 2, type: 'shutdown' });
    b.send({ v: 9, id: 3, type: 'status' });
    b.send({ v: 1, id: 4, type: 'answer', callId: 'nope' });
    b.child.stdin.write(Buffer.from([4, 0, 0, 0, 0x6e, 0x6f, 0x70, 0x65]));
    b.child.stdin.write(Buffer.concat([Buffer.from([0, 0, 0x20, 0]), Buffer.alloc(0x200000, 0x20)]));
    b.send({ v: 1, id: 5, type: 'status' });
    expect((await reply(b, 2)).error?.code).toBe('UNKNOWN_TYPE');
    expect((await reply(b, 3)).error?.code).toBe('UNKNOWN_VERSION');
    expect((await reply(b, 4)).error?.code).toBe('BAD_MESSAGE');
    expect((await reply(b, 5)).ok).toBe(true);
    expect(b.stderr.join('')).toMatch(/not JSON/);
    expect(b.stderr.join('')).toMatch(/exceeds the limit/);

    // The browser closing the port (EOF) ends the bridge, not the node.
    b.child.stdin.end();
    const [code] = await once(b.child, 'exit');
    expect(code).toBe(0);
    const status = await cliOutput(['status', '--profile', profile]);
    expect(JSON.parse(status.stdout).running).toBe(true);
  });

  it('a killed bridge leaves the node running, and a new bridge attaches to it', async () => {
    const b = startBridge();
    b.send({ v: 1, id: 1, type: 'status' });
    const before = (await reply(b, 1)).result!.nodeId;
    b.child.kill('SIGKILL');
    await once(b.child, 'exit');
    const again = startBridge();
    again.send({ v: 1, id: 7, type: 'status' });
    expect((await reply(again, 7)).result!.nodeId).toBe(before);
    again.child.stdin.end();
    await once(again.child, 'exit');
  });

  it('refuses a second node for the same profile', async () => {
    const second = await cliOutput(['node', '--profile', profile, '--bootstrap', bootstrap]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/already running/);
  });
});
