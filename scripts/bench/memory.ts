import { readFile } from 'node:fs/promises';
import { round } from './stats';

// Resident memory of processes, from /proc/<pid>/status (Linux only).

export async function rssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return round(Number(m[1]) / 1024, 1);
}

/** Samples the RSS of each named process every `intervalMs` and keeps the peak. */
export class RssSampler {
  readonly peakMB: Record<string, number> = {};
  readonly samples: Record<string, number> = {};
  private timer: NodeJS.Timeout;
  private busy = false;

  constructor(
    private readonly pids: Record<string, number>,
    intervalMs = 100,
  ) {
    for (const name of Object.keys(pids)) {
      this.peakMB[name] = 0;
      this.samples[name] = 0;
    }
    this.timer = setInterval(() => void this.sample(), intervalMs);
    void this.sample();
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await Promise.all(
        Object.entries(this.pids).map(async ([name, pid]) => {
          const mb = await rssMB(pid).catch(() => null);
          if (mb === null) return;
          this.samples[name]!++;
          if (mb > this.peakMB[name]!) this.peakMB[name] = mb;
        }),
      );
    } finally {
      this.busy = false;
    }
  }

  async stop(): Promise<Record<string, number>> {
    clearInterval(this.timer);
    await this.sample();
    return { ...this.peakMB };
  }
}
