#!/usr/bin/env node
// Runs the node's CLI: the JavaScript that `npm ci` / `npm run build` compiled into
// native-host/dist, or the TypeScript sources through tsx when there is no compiled copy or
// a source file is newer than it (while developing). The compiled form starts faster and
// uses less memory; the browser waits on the bridge's start-up and the node runs for hours.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('../../', import.meta.url));
const compiled = join(root, 'native-host/dist/cli.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  try {
    const built = statSync(compiled).mtimeMs;
    return built >= newestSource(join(root, 'native-host')) && built >= newestSource(join(root, 'lib'));
  } catch {
    return false;
  }
}

let cli;
if (compiledIsCurrent()) {
  cli = await import(new URL('../dist/cli.mjs', import.meta.url).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../cli.ts');
}
cli.run(self);
