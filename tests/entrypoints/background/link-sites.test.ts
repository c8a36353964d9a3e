import { describe, expect, it, vi } from 'vitest';
import { type ScriptingLike, type SiteScript, createLinkSites } from '../../../entrypoints/background/link-sites';
import type { RegisteredSiteScript } from '../../../lib/links/opt-in-sites';

// The background keeps its run-time content scripts equal to the granted opt-in sites
// (entrypoints/background/link-sites.ts), with a fake browser.

const KNOWN = ['https://web.telegram.org/*'];
const JS = 'content-scripts/messenger.js';

function fakeBrowser(origins: string[]) {
  const scripts = new Map<string, SiteScript | RegisteredSiteScript>();
  const calls: string[] = [];
  const failFor = new Set<string>();
  const scripting: ScriptingLike = {
    async getRegisteredContentScripts() {
      return [...scripts.values()].map((s) => structuredClone(s));
    },
    async registerContentScripts(list) {
      for (const s of list) {
        calls.push(`register ${s.id}`);
        if (failFor.has(s.id)) throw new Error(`no ${s.id}`);
        if (scripts.has(s.id)) throw new Error(`Duplicate script ID '${s.id}'`);
        scripts.set(s.id, structuredClone(s));
      }
    },
    async unregisterContentScripts({ ids }) {
      for (const id of ids) {
        calls.push(`unregister ${id}`);
        scripts.delete(id);
      }
    },
  };
  return { scripting, scripts, calls, failFor, origins };
}

function sitesFor(fake: ReturnType<typeof fakeBrowser>, log = vi.fn()) {
  return createLinkSites({ scripting: fake.scripting, grantedOrigins: async () => [...fake.origins], known: KNOWN, script: JS, log });
}

describe('link sites', () => {
  it('registers the messenger script for each granted site, and only those', async () => {
    const fake = fakeBrowser(['https://web.telegram.org/*', 'https://chat.example.org/*', 'http://127.0.0.1/*', 'https://*/*']);
    const sites = sitesFor(fake);
    await sites.sync();
    expect([...fake.scripts.values()]).toEqual([
      {
        id: 'copybara-site:http://127.0.0.1',
        matches: ['http://127.0.0.1/*'],
        js: [JS],
        runAt: 'document_idle',
        persistAcrossSessions: true,
      },
      {
        id: 'copybara-site:https://chat.example.org',
        matches: ['https://chat.example.org/*'],
        js: [JS],
        runAt: 'document_idle',
        persistAcrossSessions: true,
      },
    ]);
    expect(await sites.matches()).toEqual(['http://127.0.0.1/*', 'https://chat.example.org/*']);
  });

  it('follows grants and removals; a second sync changes nothing', async () => {
    const fake = fakeBrowser(['https://a.example.org/*']);
    const sites = sitesFor(fake);
    await sites.sync();
    fake.origins.splice(0, 1, 'https://b.example.org/*');
    await sites.sync();
    expect([...fake.scripts.keys()]).toEqual(['copybara-site:https://b.example.org']);
    fake.calls.length = 0;
    await sites.sync();
    expect(fake.calls).toEqual([]);
    fake.origins.length = 0;
    await sites.sync();
    expect(fake.scripts.size).toBe(0);
    expect(await sites.matches()).toEqual([]);
  });

  it('runs overlapping syncs one after another (no duplicate registration)', async () => {
    const fake = fakeBrowser(['https://a.example.org/*']);
    const log = vi.fn();
    const sites = sitesFor(fake, log);
    await Promise.all([sites.sync(), sites.sync(), sites.sync()]);
    expect(fake.calls).toEqual(['register copybara-site:https://a.example.org']);
    expect(log).not.toHaveBeenCalled();
  });

  it('a site that cannot be registered does not keep the others out, and is tried again', async () => {
    const fake = fakeBrowser(['https://a.example.org/*', 'https://b.example.org/*']);
    fake.failFor.add('copybara-site:https://a.example.org');
    const log = vi.fn();
    const sites = sitesFor(fake, log);
    await sites.sync();
    expect([...fake.scripts.keys()]).toEqual(['copybara-site:https://b.example.org']);
    expect(log).toHaveBeenCalledWith(expect.stringMatching(/a\.example\.org could not be turned on/), expect.any(Error));
    fake.failFor.clear();
    await sites.sync();
    expect([...fake.scripts.keys()].sort()).toEqual(['copybara-site:https://a.example.org', 'copybara-site:https://b.example.org']);
  });

  it('leaves scripts that are not ours, and survives a browser without scripting', async () => {
    const fake = fakeBrowser([]);
    fake.scripts.set('other', { id: 'other', matches: ['https://x.example/*'] });
    await sitesFor(fake).sync();
    expect([...fake.scripts.keys()]).toEqual(['other']);
    const none = createLinkSites({
      scripting: undefined,
      grantedOrigins: async () => ['https://a.example.org/*'],
      known: KNOWN,
      script: JS,
    });
    await expect(none.sync()).resolves.toBeUndefined();
  });
});
