import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Socket } from 'node:dgram';
import { TurnClient } from '../../testkit/turn-client';
import { Cleanup, sleep } from './cleanup';
import { type DatagramPath, bindUdp, roomy } from './paths';

// coturn, the TURN server most WebRTC deployments run, as the reference for what a
// relay on this machine can do: started on 127.0.0.1 only, for the length of the bench,
// and driven with the same ChannelData traffic as the node's relay. One TURN client
// allocates on it and binds a channel to a plain UDP socket (the "peer"): A -> coturn ->
// peer is one relay hop each way, where the node's path has two relays and an encrypted
// overlay hop in between.

const USER = 'bench';
const PASSWORD = 'bench-secret';
const REALM = 'copybara-bench';

export function findTurnserver(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const file = join(dir, 'turnserver');
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return null;
}

async function freeUdpPort(): Promise<number> {
  // Bound and released at once: coturn binds it a moment later. A race with another
  // process taking the same port is possible but shows as a clear start-up failure.
  const s = await bindUdp();
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = once(child, 'exit').then(() => {});
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  return exited.finally(() => clearTimeout(timer));
}

export interface Coturn {
  version: string | null;
  port: number;
  pid: number;
  /** Kills it now (it is also killed by the bench's cleanup). */
  stop(): Promise<void>;
}

/**
 * Starts turnserver in `dir` (its config, pid and sqlite files live there, so nothing
 * outside the bench's temp folder is read or written) and waits until it answers.
 * Registered with `cleanup`, which kills it.
 */
export async function startCoturn(bin: string, dir: string, cleanup: Cleanup): Promise<Coturn> {
  const port = await freeUdpPort();
  // An empty config file: without -c, turnserver reads /etc/turnserver.conf.
  const conf = join(dir, 'coturn.conf');
  await writeFile(conf, '');
  const args = [
    '-c',
    conf,
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--no-tcp-relay',
    '--no-multicast-peers',
    '--lt-cred-mech',
    `--user=${USER}:${PASSWORD}`,
    `--realm=${REALM}`,
    '--allow-loopback-peers',
    // Logs go to stdout (kept in memory for a failure message), never to a log file.
    '--log-file=stdout',
    `--pidfile=${join(dir, 'coturn.pid')}`,
    `--userdb=${join(dir, 'coturn.sqlite')}`,
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    if (output.length < 400) output.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = cleanup.defer('stop coturn', () => stopProcess(child));
  const spawnError = once(child, 'error').then(([err]) => err as Error);

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`turnserver exited with ${child.exitCode}:\n${output.slice(-20).join('\n')}`);
    const probe = await TurnClient.connect({ port, username: USER, password: PASSWORD, timeoutMs: 500 });
    const ok = await Promise.race([
      probe.binding().then(
        () => true,
        () => false,
      ),
      spawnError.then(() => false),
    ]);
    await probe.close();
    if (ok) break;
    if (Date.now() > deadline)
      throw new Error(`turnserver did not answer on 127.0.0.1:${port} within 10 s:\n${output.slice(-20).join('\n')}`);
    await sleep(100);
  }
  const version = output.map((l) => /Version (Coturn-[\w.]+)/.exec(l)?.[1]).find((v) => v !== undefined) ?? null;
  return { version, port, pid: child.pid!, stop };
}

/** TURN client A on coturn, channel bound to a plain UDP socket B. */
export async function coturnPath(server: Coturn, cleanup: Cleanup): Promise<DatagramPath & { relayed: string }> {
  const client = await TurnClient.connect({ port: server.port, username: USER, password: PASSWORD, timeoutMs: 5000 });
  cleanup.defer('close the coturn TURN client', () => client.close());
  const peer = await bindUdp();
  cleanup.defer('close the coturn peer socket', () => new Promise<void>((r) => peer.close(() => r())));
  const relayed = await client.allocate();
  const peerAddress = { address: '127.0.0.1', port: peer.address().port };
  await client.createPermission(peerAddress.address);
  await client.channelBind(peerAddress);

  const socketOf = (c: TurnClient) => (c as unknown as { socket: Socket }).socket;
  const recvBufferBytes = Math.min(roomy(socketOf(client)), roomy(peer));
  let atA: (d: Buffer) => void = () => {};
  let atB: (d: Buffer) => void = () => {};
  client.on('data', ({ data }) => atA(data));
  peer.on('message', (m) => atB(m));
  return {
    name: 'coturn',
    recvBufferBytes,
    relayed: `${relayed.address}:${relayed.port}`,
    forward: (d) => client.sendChannel(peerAddress, d),
    // The peer sends plain UDP to the relayed address; coturn wraps it as ChannelData.
    back: (d) => peer.send(d, relayed.port, relayed.address),
    receivers(toB, toA) {
      atB = toB;
      atA = toA;
    },
  };
}
