import { readFile, readdir, readlink } from 'node:fs/promises';

// Where datagrams are lost: the kernel counts, per UDP socket, the datagrams it dropped
// because the socket's receive buffer was full (last column of /proc/net/udp). Summing them
// over the sockets each process owns tells whether loss happened in the bench's own
// endpoints or in a node. Linux only; best effort (null when /proc cannot be read).

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  await Promise.all(
    fds.map(async (fd) => {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(m[1]!);
    }),
  );
  return inodes;
}

async function dropsByInode(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      out.set(f[9]!, Number(f[12]));
    }
  }
  return out;
}

/** Receive-buffer drops summed over each named process's UDP sockets. */
export async function udpDrops(pids: Record<string, number>): Promise<Record<string, number> | null> {
  const drops = await dropsByInode();
  if (drops.size === 0) return null;
  const out: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    let sum = 0;
    for (const inode of await socketInodes(pid)) sum += drops.get(inode) ?? 0;
    out[name] = sum;
  }
  return out;
}

export function dropsDelta(before: Record<string, number> | null, after: Record<string, number> | null): Record<string, number> | null {
  if (!before || !after) return null;
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)]));
}
