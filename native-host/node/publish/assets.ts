import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CopybaraError } from '../../../lib/errors';

// The publishing page as scripts/build-host.mjs leaves it in native-host/dist/publish. The
// node runs either compiled (native-host/dist/*.mjs, this module inlined into a chunk) or
// from source through tsx (native-host/node/publish/assets.ts), so both places are looked at.

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

// A flat folder of plain names: nothing a request path could turn into another file.
const ASSET_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

export interface Asset {
  body: Buffer;
  type: string;
}

export function defaultAssetsDir(): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'publish'), join(here, '../../dist/publish')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? null;
}

export async function loadAssets(dir: string | null): Promise<Map<string, Asset>> {
  const unbuilt = () => CopybaraError.INTERNAL('the publishing page is not built; run `npm run build:host` in the Copybara folder');
  if (dir === null) throw unbuilt();
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw unbuilt();
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (!type || !ASSET_NAME.test(name)) continue;
    assets.set(name, { body: await readFile(join(dir, name)), type });
  }
  if (!assets.has('index.html')) throw unbuilt();
  return assets;
}
