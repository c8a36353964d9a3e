import { readFile, readdir } from 'node:fs/promises';

// Processes that still mention a test's folder in their command line or environment: the
// nodes, bridges and browsers it started. Teardown expects none.
export async function leftovers(marker: string): Promise<string[]> {
  return (await processesMentioning(marker)).map((p) => `${p.pid}: ${p.cmdline.slice(0, 160)}`);
}

export async function processesMentioning(marker: string): Promise<{ pid: number; cmdline: string }[]> {
  const found: { pid: number; cmdline: string }[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const [cmdline, environ] = await Promise.all(['cmdline', 'environ'].map((f) => readFile(`/proc/${pid}/${f}`, 'utf8').catch(() => '')));
    if (cmdline!.includes(marker) || environ!.includes(marker)) found.push({ pid: Number(pid), cmdline: cmdline!.replace(/\0/g, ' ') });
  }
  return found;
}

export async function expectNoLeftovers(marker: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let left = await leftovers(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = await leftovers(marker);
  }
  if (left.length > 0) throw new Error(`processes left behind:\n${left.join('\n')}`);
}
