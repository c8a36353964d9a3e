import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { round } from './stats';

// CPU time of processes (user + system) from /proc/<pid>/stat, to show which process was
// saturated during a run. Resolution is one clock tick (usually 10 ms).

let ticksPerSecond: number | null = null;
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export async function cpuMs(pid: number): Promise<number | null> {
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (stat === null) return null;
  // Fields after the command name (which may hold spaces) start with field 3, the state.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / clockTicks();
}

export async function cpuSnapshot(pids: Record<string, number>): Promise<{ at: number; ms: Record<string, number | null> }> {
  const ms: Record<string, number | null> = {};
  for (const [name, pid] of Object.entries(pids)) ms[name] = await cpuMs(pid);
  return { at: performance.now(), ms };
}

/** Share of one CPU each process used between two snapshots, in percent. */
export function cpuPercent(
  before: Awaited<ReturnType<typeof cpuSnapshot>>,
  after: Awaited<ReturnType<typeof cpuSnapshot>>,
): Record<string, number | null> {
  const wall = after.at - before.at;
  return Object.fromEntries(
    Object.keys(after.ms).map((k) => {
      const a = after.ms[k];
      const b = before.ms[k];
      return [k, a == null || b == null || wall <= 0 ? null : round(((a - b) / wall) * 100, 0)];
    }),
  );
}

/**
 * CPU microseconds each process spent per item (datagram) between two snapshots: what a
 * datagram costs each process, which a busy machine changes much less than packets/s.
 */
export function cpuUsPer(
  before: Awaited<ReturnType<typeof cpuSnapshot>>,
  after: Awaited<ReturnType<typeof cpuSnapshot>>,
  items: number,
): Record<string, number | null> {
  return Object.fromEntries(
    Object.keys(after.ms).map((k) => {
      const a = after.ms[k];
      const b = before.ms[k];
      return [k, a == null || b == null || items <= 0 ? null : round(((a - b) * 1000) / items, 1)];
    }),
  );
}
