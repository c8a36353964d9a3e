import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNodeId } from '../../lib/node-id';

// A pretend Staex network for tests: the mcc stand-in (testkit/mcc-standin/mcc.mjs) over a
// directory mapping Staex ids to loopback addresses. Each node gets its own 127.x.y.z, so
// nodes on one machine talk over real TCP and UDP between distinct addresses, as they would
// between Staex tunnel addresses; and one port for all of them, as on the real network.

export const MCC_STANDIN = join(import.meta.dirname, '..', 'mcc-standin', 'mcc.mjs');

export interface StandinNode {
  staexId: string;
  address: string;
  // The mcc command this node runs (COPYBARA_MCC, split on spaces).
  command: string[];
}

export interface StaexStandin {
  dir: string;
  // A port no other test run on this machine is likely to pick.
  port: number;
  add(): Promise<StandinNode>;
  // Moves a node to another address, as mcc may after a restart.
  move(node: StandinNode): Promise<string>;
  // Makes a node unknown to mcc, as a node that left the network.
  forget(node: StandinNode): Promise<void>;
  destroy(): Promise<void>;
}

export async function startStaexStandin(): Promise<StaexStandin> {
  const dir = await mkdtemp(join(tmpdir(), 'copybara-staex-'));
  // A random /16 inside 127/8 per run, so runs in parallel do not share addresses.
  const net = `127.${randomInt(64, 250)}.${randomInt(1, 250)}`;
  let next = 1;
  const write = async (node: StandinNode) => writeFile(join(dir, node.staexId), `${node.address}\n`);
  return {
    dir,
    port: randomInt(20_000, 60_000),
    async add() {
      const staexId = encodeNodeId(randomBytes(32));
      const node = { staexId, address: `${net}.${next++}`, command: [process.execPath, MCC_STANDIN, '--dir', dir, '--self', staexId] };
      await write(node);
      return node;
    },
    async move(node) {
      node.address = `${net}.${next++}`;
      await write(node);
      return node.address;
    },
    async forget(node) {
      await unlink(join(dir, node.staexId));
    },
    async destroy() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}
