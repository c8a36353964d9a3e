import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { profileAt } from '../../../native-host/common/profile';
import { parsePublishPort, runPublishSite } from '../../../native-host/commands/publish-site';
import { loadPublished, siteFilePath } from '../../../native-host/node/sites/published';

// With no node running, `publish` keeps the choice in the profile for the node's next start.
// (With a node running, tests/integration/sites.test.ts and the e2e test cover it.)

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'copybara-publish-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('copybara-host publish without a running node', () => {
  it('saves, lists and stops', async () => {
    const profile = profileAt(dir);
    expect(await runPublishSite(profile, { kind: 'list' })).toBe('publishing nothing\n(no node is running; this applies when it starts)\n');
    expect(await runPublishSite(profile, { kind: 'publish', port: 8080 })).toContain('publishing http://127.0.0.1:8080');
    expect(await loadPublished(siteFilePath(dir))).toEqual({ port: 8080 });
    expect(await runPublishSite(profile, { kind: 'list' })).toContain('publishing http://127.0.0.1:8080');
    expect(await runPublishSite(profile, { kind: 'stop' })).toContain('publishing nothing');
    expect(await loadPublished(siteFilePath(dir))).toBeNull();
  });

  it('takes only a port', () => {
    expect(parsePublishPort('8080')).toBe(8080);
    for (const bad of ['0', '65536', 'http', '-1', '80.5', ' 80', '123456'])
      expect(() => parsePublishPort(bad), bad).toThrow(/is not a port/);
  });
});
