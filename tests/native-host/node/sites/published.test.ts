import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePublished, loadPublished, savePublished, siteFilePath } from '../../../../native-host/node/sites/published';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'copybara-site-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('what a node publishes, on disk', () => {
  it('is nothing until saved, then the port, owner-only, then nothing again', async () => {
    const file = siteFilePath(dir);
    expect(await loadPublished(file)).toBeNull();
    await savePublished(file, { port: 8080 });
    expect(await loadPublished(file)).toEqual({ port: 8080 });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ v: 1, port: 8080 });
    await savePublished(file, null);
    expect(await loadPublished(file)).toBeNull();
  });

  it('reads anything else as nothing published', async () => {
    const file = siteFilePath(dir);
    for (const text of ['', 'not json', '{"v":2,"port":80}', '{"v":1,"port":0}', '{"v":1,"port":"80"}', '{"v":1,"port":65536}', 'null']) {
      await writeFile(file, text);
      expect(await loadPublished(file), text).toBeNull();
    }
    expect(decodePublished({ v: 1, port: 443 })).toEqual({ port: 443 });
  });
});
