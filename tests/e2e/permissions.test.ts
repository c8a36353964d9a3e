import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_DIR, EXTENSION_ORIGIN } from '../../testkit/browser';
import { type ExtensionBrowser, launchExtensionBrowser } from '../../testkit/extension-browser';
import { tempDir } from '../../testkit/processes';

// The permissions the built extension asks for, and the browser behaviour the background
// relies on without `tabs` (docs/THREAT-MODEL.md, "Extension permissions"): web tabs'
// addresses are hidden from it, and runtime.getContexts still finds our own pages and their tabs
// (entrypoints/background/surface.ts: findCallTab, showsOurPage).

const CALL_ID = '0123456789abcdef0123456789abcdef';

let dir: { path: string; remove(): Promise<void> };
let browser: ExtensionBrowser;

beforeAll(async () => {
  dir = await tempDir('permissions');
  browser = await launchExtensionBrowser(join(dir.path, 'profile'));
  await browser.context.route(/^https?:\/\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>web</title><p>a web page</p>' }),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dir?.remove();
});

interface Probe {
  otherUrls: (string | null)[];
  byUrl: number[];
  ourInCallTab: number;
  ourInWebTab: number;
}

describe('permissions', () => {
  it('the manifest asks for these and no more (no `tabs`)', () => {
    const manifest = JSON.parse(readFileSync(join(EXTENSION_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.permissions).toEqual([
      'nativeMessaging',
      'notifications',
      'storage',
      'contextMenus',
      'webNavigation',
      'declarativeNetRequest',
      'scripting',
      'proxy',
    ]);
    expect(manifest.host_permissions).toBeUndefined();
    expect(manifest.optional_host_permissions).toEqual(['https://*/*', 'http://*/*']);
  });

  it("without `tabs`, a web tab's address is hidden, and runtime.getContexts finds a call's tab by its page and tells our tabs from web tabs", async () => {
    const callUrl = `${EXTENSION_ORIGIN}/call.html?call=${CALL_ID}`;
    const callTab = await browser.context.newPage();
    await callTab.goto(callUrl);
    const webTab = await browser.context.newPage();
    await webTab.goto('https://example.org/');
    const probe = await browser.worker.evaluate(
      async ([url]) => {
        type Ctx = { tabId: number };
        const chrome = (
          globalThis as unknown as {
            chrome: {
              runtime: { getContexts(f: object): Promise<Ctx[]> };
              tabs: { query(q: object): Promise<{ id?: number; url?: string }[]> };
            };
          }
        ).chrome;
        const byUrl = (await chrome.runtime.getContexts({ contextTypes: ['TAB'], documentUrls: [url] })).map((c) => c.tabId);
        const tabs = await chrome.tabs.query({});
        const web = tabs.find((t) => !byUrl.includes(t.id ?? -1) && t.id !== undefined)!;
        const ours = (tabId: number) => chrome.runtime.getContexts({ contextTypes: ['TAB'], tabIds: [tabId] }).then((c) => c.length);
        return {
          otherUrls: tabs.filter((t) => !byUrl.includes(t.id ?? -1)).map((t) => t.url ?? null),
          byUrl,
          ourInCallTab: await ours(byUrl[0]!),
          ourInWebTab: await ours(web.id!),
        };
      },
      [callUrl] as const,
    );
    expect(probe satisfies Probe).toMatchObject({ ourInCallTab: 1, ourInWebTab: 0 });
    // The web page and the blank start tab: neither address is visible.
    expect(probe.otherUrls).toEqual([null, null]);
    expect(probe.byUrl).toHaveLength(1);
  });
});
