import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CHROMIUM } from '../browser';

// Chromium inside a namespace, for playwright's `executablePath`: a wrapper that execs it
// through `ip netns exec`, so the browser, its WebRTC stack and the native host it starts all
// live on that namespace's network (the node's local socket is a path, reachable from any).
export async function chromiumIn(ns: string, dir: string): Promise<string> {
  const path = join(dir, `chromium-${ns}.sh`);
  await writeFile(path, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM} "$@"\n`);
  await chmod(path, 0o755);
  return path;
}
