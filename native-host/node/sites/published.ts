import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// What this node publishes, kept in the profile (site.json, owner-only) so that publishing
// lasts across restarts until it is stopped. Absent or unreadable: nothing is published —
// publishing is never on by accident.

export const SITE_FILE = 'site.json';

export interface Published {
  port: number;
}

export function siteFilePath(profileDir: string): string {
  return join(profileDir, SITE_FILE);
}

export function decodePublished(value: unknown): Published | null {
  const o = value as { v?: unknown; port?: unknown } | null;
  if (!o || typeof o !== 'object' || o.v !== 1) return null;
  return Number.isInteger(o.port) && (o.port as number) >= 1 && (o.port as number) <= 65535 ? { port: o.port as number } : null;
}

export async function loadPublished(path: string): Promise<Published | null> {
  try {
    return decodePublished(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return null;
  }
}

// null removes the file.
export async function savePublished(path: string, published: Published | null): Promise<void> {
  if (published === null) return rm(path, { force: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify({ v: 1, port: published.port })}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
