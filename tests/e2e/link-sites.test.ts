import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import DHT from 'hyperdht';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_EXTENSION_ID } from '../../lib/extension-key';
import { createLinkPayload, linkUrl } from '../../lib/links/link';
import { EXTENSION_DIR, EXTENSION_ORIGIN } from '../../testkit/browser';
import { until } from '../../testkit/call-checks';
import { type ExtensionBrowser, launchExtensionBrowser } from '../../testkit/extension-browser';
import { tempDir } from '../../testkit/processes';

// Call links beyond the supported messengers, in real Chromium with the built extension
// (no node): a site the person opted in to, and a configured call link host.
//
// The grant itself cannot be automated: Chromium asks with a browser dialog that Playwright
// cannot press (microsoft/playwright#32755), and the browser's own site-access controls
// only grant hosts a manifest lists as required. So this test runs a COPY of the built
// extension whose manifest also lists http://127.0.0.1/* as a host permission: the browser
// starts with that site granted, as if the person had answered the prompt. Everything after
// the grant is the product's own code: the background finds the grant
// (permissions.getAll), registers the messenger content script for the site, the script
// marks the page in its generic mode, and the background accepts the page's clicks. The
// browser's site-access controls (what chrome://extensions uses) then withhold and grant
// the site again, and the registration follows through permissions.onRemoved/onAdded.
// Pages are served by context.route(); every other request is aborted.

const SITE = 'http://127.0.0.1:9';
const SITE_PATTERN = 'http://127.0.0.1/*';
const SCRIPT_ID = 'copybara-site:http://127.0.0.1';
const LINK_HOST = 'links.example.org';
const alice = DHT.keyPair(Buffer.alloc(32, 1));
let invitations = 0;
function payload(): string {
  const invitation = Buffer.alloc(8);
  invitation.writeUInt32BE(++invitations, 4);
  return createLinkPayload({ secretKey: alice.secretKey, invitation, createdAt: Math.floor(Date.now() / 1000) - 60, lifetimeS: 3600 });
}
const ON_HOST = payload();
const ON_DEFAULT = payload();
const ON_OTHER = payload();

const forum = `<!doctype html><html><head><meta charset="utf-8"><title>Forum</title></head><body>
<main><article><p>Alice wrote: <a id="on-host" href="${linkUrl(ON_HOST, LINK_HOST)}">join my call</a></p></article>
<article><p>Or: <a id="on-default" href="${linkUrl(ON_DEFAULT)}">this one</a></p></article>
<article><p>Not ours: <a id="on-other" href="${linkUrl(ON_OTHER, 'other.example.org')}">elsewhere</a></p></article></main>
<textarea>${linkUrl(payload())}</textarea></body></html>`;

let dir: { path: string; remove(): Promise<void> };
let browser: ExtensionBrowser;
const requests: string[] = [];

beforeAll(async () => {
  dir = await tempDir('link-sites');
  const ext = join(dir.path, 'extension');
  await cp(EXTENSION_DIR, ext, { recursive: true });
  const manifestPath = join(ext, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  expect(manifest.host_permissions, 'the production build grants no host').toBeUndefined();
  expect(manifest.optional_host_permissions).toEqual(['https://*/*', 'http://*/*']);
  manifest.host_permissions = [SITE_PATTERN]; // the stand-in for the person's "Allow"
  await writeFile(manifestPath, JSON.stringify(manifest));
  browser = await launchExtensionBrowser(join(dir.path, 'profile'), ext);
  // The configured link host, set the way a person sets it.
  const options = await browser.context.newPage();
  await options.goto(`${EXTENSION_ORIGIN}/options.html`);
  await options.getByLabel('Call link host').fill(LINK_HOST);
  await options.getByRole('button', { name: 'Save' }).click();
  await options.getByText('Saved').first().waitFor({ timeout: 10_000 });
  await options.close();
  // The router would see (and abort) our own pages' requests too: installed after them.
  await browser.context.route(/^https?:\/\//, (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith(`${SITE}/`)
      ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: forum })
      : route.abort('blockedbyclient');
  });
}, 60_000);

afterEach(async () => {
  for (const p of browser?.context.pages() ?? []) await p.close().catch(() => {});
});

afterAll(async () => {
  await browser?.close();
  await dir?.remove();
});

function registered(): Promise<{ id: string; matches?: string[]; js?: string[] }[]> {
  return browser.worker.evaluate(() =>
    (
      globalThis as unknown as {
        chrome: { scripting: { getRegisteredContentScripts(): Promise<{ id: string; matches?: string[]; js?: string[] }[]> } };
      }
    ).chrome.scripting.getRegisteredContentScripts(),
  );
}

// The browser's per-extension site access, as chrome://extensions changes it.
async function siteAccess(change: { withhold: true } | { grant: string }): Promise<void> {
  const page = await browser.context.newPage();
  try {
    await page.goto('chrome://extensions/', { timeout: 10_000 });
    const error = await page.evaluate(
      ([id, c]) => {
        type DP = {
          updateExtensionConfiguration(u: object, cb: () => void): void;
          addHostPermission(id: string, host: string, cb: () => void): void;
        };
        const g = globalThis as unknown as { chrome: { developerPrivate: DP; runtime: { lastError?: { message: string } } } };
        const dp = g.chrome.developerPrivate;
        const done = (resolve: (e: string | null) => void) => () => resolve(g.chrome.runtime.lastError?.message ?? null);
        return new Promise<string | null>((resolve) =>
          'grant' in c
            ? dp.addHostPermission(id, c.grant, done(resolve))
            : dp.updateExtensionConfiguration({ extensionId: id, hostAccess: 'ON_SPECIFIC_SITES' }, done(resolve)),
        );
      },
      [CHROMIUM_EXTENSION_ID, change] as const,
    );
    if (error) throw new Error(`chrome://extensions refused ${JSON.stringify(change)}: ${error}`);
  } finally {
    await page.close();
  }
}

interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string;
  backendNodeId: number;
  attributes?: string[];
  children?: DomNode[];
  shadowRoots?: DomNode[];
}

// Each badge: what it follows (the anchor's id) and its text, read through CDP (closed
// shadow roots), and its Answer button.
async function badges(page: Page): Promise<{ after: string; text: string; answer: number | null }[]> {
  const afters = await page.evaluate(() =>
    [...document.querySelectorAll('[data-copybara-badge]')].map((b) => (b.previousElementSibling as HTMLElement | null)?.id ?? ''),
  );
  const cdp: CDPSession = await page.context().newCDPSession(page);
  try {
    const { root } = (await cdp.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: DomNode };
    const hosts: DomNode[] = [];
    const walk = (n: DomNode) => {
      if ((n.attributes ?? []).includes('data-copybara-badge')) hosts.push(n);
      else for (const c of n.children ?? []) walk(c);
    };
    walk(root);
    // Badges placed between the two reads: read again (until() retries on a throw).
    if (hosts.length !== afters.length) throw new Error(`${hosts.length} badges through CDP, ${afters.length} in the page`);
    return hosts.map((host, i) => {
      let text = '';
      let answer: number | null = null;
      const inside = (n: DomNode) => {
        if (n.nodeName === 'STYLE') return;
        if (n.nodeType === 3) text += n.nodeValue;
        const a = n.attributes ?? [];
        if (n.nodeName === 'BUTTON' && a[a.indexOf('aria-label') + 1] === 'Answer Copybara call') answer = n.backendNodeId;
        for (const c of n.children ?? []) inside(c);
      };
      for (const r of host.shadowRoots ?? []) inside(r);
      return { after: afters[i] ?? '', text, answer };
    });
  } finally {
    await cdp.detach().catch(() => {});
  }
}

async function clickNode(page: Page, backendNodeId: number): Promise<void> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.scrollIntoViewIfNeeded', { backendNodeId });
    const { model } = (await cdp.send('DOM.getBoxModel', { backendNodeId })) as { model: { border: number[] } };
    const q = model.border;
    await page.mouse.click((q[0]! + q[2]! + q[4]! + q[6]!) / 4, (q[1]! + q[3]! + q[5]! + q[7]!) / 4);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

async function openForum(): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(`${SITE}/forum/1`, { waitUntil: 'load', timeout: 15_000 });
  return page;
}

describe('call links on a site the person opted in to', () => {
  it('the granted site gets the content script; its links (default and configured host) are marked; Answer reaches the background', async () => {
    const scripts = await until('the background registers the script for the granted site', 10_000, registered, (r) =>
      r.some((s) => s.id === SCRIPT_ID),
    );
    expect(scripts.find((s) => s.id === SCRIPT_ID)).toMatchObject({ matches: [SITE_PATTERN], js: ['content-scripts/messenger.js'] });

    const page = await openForum();
    await until(
      'both call links are marked',
      10_000,
      () => badges(page),
      (b) => b.length >= 2,
    );
    await page.waitForTimeout(300); // nothing more may come
    const found = await badges(page);
    expect(found.map((b) => b.after).sort(), 'marked: the configured host and the default, not other.example.org or the textarea').toEqual([
      'on-default',
      'on-host',
    ]);
    for (const b of found) expect(b.text).toMatch(/^Copybara call from node \S+Answer$/);

    // Clicking the link itself does not navigate (the configured host is handled like the default).
    await page.locator('#on-host').click({ timeout: 5000 });
    await page.waitForTimeout(300);
    expect(page.url()).toBe(`${SITE}/forum/1`);

    // Answer: the background accepts the page as a sender and answers in words (no node
    // here: "not installed"; a page it did not accept would get "accepted from our
    // messenger scripts … only").
    const onHost = found.find((b) => b.after === 'on-host')!;
    await clickNode(page, onHost.answer!);
    const said = await until(
      "the badge shows the background's answer",
      15_000,
      async () => (await badges(page)).find((b) => b.after === 'on-host')?.text ?? '',
      (t) => /Could not answer/.test(t),
    );
    expect(said).toMatch(/Could not answer: The Copybara node is not installed for this browser/);
    expect(
      requests.filter((u) => u.includes(LINK_HOST) || u.includes('copybara.network')),
      'requests for link addresses',
    ).toEqual([]);
  });

  it('the options page lists the site; adding a messenger is refused in words', async () => {
    const options = await browser.context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    const list = options.getByRole('list', { name: 'Sites where call links are recognised' });
    await until(
      'the site is listed',
      5000,
      async () => (await list.textContent()) ?? '',
      (t) => t.includes('http://127.0.0.1'),
    );
    expect(await options.getByRole('button', { name: 'Remove http://127.0.0.1' }).count()).toBe(1);
    await options.getByLabel('Site', { exact: true }).fill('https://web.telegram.org/k/');
    await options.getByRole('button', { name: 'Add site' }).click();
    await options.getByText('Call links on web.telegram.org are already recognised.').waitFor({ timeout: 5000 });
    // Adding a site asks the browser for it from the click; granted already here, so the
    // browser answers without its dialog and the page says what happens next.
    await options.getByLabel('Site', { exact: true }).fill('http://127.0.0.1:8080/rooms/1');
    await options.getByRole('button', { name: 'Add site' }).click();
    await options.getByText('Call links on 127.0.0.1 are marked from now on; reload its open tabs.').waitFor({ timeout: 5000 });
    expect(await options.getByLabel('Call link host').inputValue()).toBe(LINK_HOST);
  });

  it('withholding the site in the browser unregisters the script; granting it again registers it', async () => {
    await siteAccess({ withhold: true });
    await until('the script is unregistered', 10_000, registered, (r) => !r.some((s) => s.id === SCRIPT_ID));
    const unmarked = await openForum();
    await unmarked.waitForTimeout(1000);
    expect(await unmarked.locator('[data-copybara-badge]').count(), 'badges without the grant').toBe(0);
    await unmarked.close();

    await siteAccess({ grant: SITE_PATTERN });
    await until('the script is registered again', 10_000, registered, (r) => r.some((s) => s.id === SCRIPT_ID));
    const page = await openForum();
    await until(
      'the links are marked again',
      10_000,
      () => badges(page),
      (b) => b.length === 2,
    );
  });
});

describe('a configured call link host', () => {
  it('an address on it opens the preview; its request never leaves the browser', async () => {
    const rules = await browser.worker.evaluate(() =>
      (
        globalThis as unknown as {
          chrome: { declarativeNetRequest: { getDynamicRules(): Promise<{ id: number; condition: { regexFilter?: string } }[]> } };
        }
      ).chrome.declarativeNetRequest.getDynamicRules(),
    );
    expect(rules.map((r) => r.condition.regexFilter)).toEqual([`^https?://links\\.example\\.org(:[0-9]+)?/call([?#].*)?$`]);

    const tab = await browser.context.newPage();
    // The instrument works: another address on the host reaches Playwright's router.
    requests.length = 0;
    await tab.goto(`https://${LINK_HOST}/about`, { timeout: 10_000 }).catch(() => {});
    expect(requests).toEqual([`https://${LINK_HOST}/about`]);
    requests.length = 0;

    await tab.goto(linkUrl(ON_HOST, LINK_HOST), { timeout: 10_000 }).catch(() => {});
    await until(
      'the tab shows the preview',
      10_000,
      async () => tab.url(),
      (u) => u === `${EXTENSION_ORIGIN}/call.html?preview=${ON_HOST}`,
    );
    // Another host's /call is left alone (the navigation listener sees every /call).
    await tab.goto(linkUrl(ON_OTHER, 'other.example.org'), { timeout: 10_000 }).catch(() => {});
    await tab.waitForTimeout(500);
    expect(tab.url()).not.toContain('call.html');
    expect(
      requests.filter((u) => u.includes(LINK_HOST)),
      'requests for the link host',
    ).toEqual([]);
  });
});

// The content script's isolated world, reached through CDP: Runtime.enable reports every
// execution context of the page, ours among them as an 'isolated' world named after the
// extension. Code evaluated there has exactly the script's own chrome.* (Playwright's own
// evaluate runs in the page's main world, where no extension API exists).
async function inContentScript<T>(page: Page, expression: string): Promise<T> {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  try {
    const worlds: { id: number; name: string; auxData?: { type?: string } }[] = [];
    cdp.on('Runtime.executionContextCreated', (e: { context: { id: number; name: string; auxData?: { type?: string } } }) =>
      worlds.push(e.context),
    );
    await cdp.send('Runtime.enable');
    const world = await until(
      "the content script's isolated world",
      5000,
      async () => worlds.find((w) => w.auxData?.type === 'isolated' && w.name === 'Copybara'),
      (w) => w !== undefined,
    );
    const { result, exceptionDetails } = (await cdp.send('Runtime.evaluate', {
      expression,
      contextId: world!.id,
      awaitPromise: true,
      returnByValue: true,
    })) as { result: { value: T }; exceptionDetails?: { text: string } };
    if (exceptionDetails) throw new Error(`evaluation in the content script's world failed: ${exceptionDetails.text}`);
    return result.value;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

describe("the messenger script's reach", () => {
  it('cannot read or write storage.local; it gets the link hosts from the background, and a new host reaches an open tab', async () => {
    await until('the script is registered', 10_000, registered, (r) => r.some((s) => s.id === SCRIPT_ID));
    const page = await openForum();
    await until(
      'both call links are marked',
      10_000,
      () => badges(page),
      (b) => b.length === 2,
    );
    const probe = await inContentScript<{ id: string; get: string; set: string; hosts: unknown }>(
      page,
      `(async () => {
        const attempt = async (f) => { try { await f(); return 'allowed'; } catch (e) { return 'refused: ' + (e && e.message); } };
        return {
          id: chrome.runtime.id,
          get: await attempt(() => chrome.storage.local.get('settings')),
          set: await attempt(() => chrome.storage.local.set({ settings: { linkHost: 'evil.example' } })),
          hosts: await chrome.runtime.sendMessage({ type: 'link-hosts' }),
        };
      })()`,
    );
    // The world is our script's (its extension id, and the background answers it)…
    expect(probe.id).toBe(CHROMIUM_EXTENSION_ID);
    expect(probe.hosts).toEqual({ ok: true, result: { type: 'link-hosts', hosts: ['copybara.network', LINK_HOST] } });
    // …and storage is closed to it, both ways.
    expect(probe.get).toMatch(/^refused: .*(not allowed|access)/i);
    expect(probe.set).toMatch(/^refused: .*(not allowed|access)/i);
    const stored = await browser.worker.evaluate(() =>
      (
        globalThis as unknown as { chrome: { storage: { local: { get(k: string): Promise<{ settings?: { linkHost?: string } }> } } } }
      ).chrome.storage.local.get('settings'),
    );
    expect(stored.settings?.linkHost, 'the settings as the options page saved them').toBe(LINK_HOST);

    // A new host, saved while the forum is open: the background tells the tab, and a link on
    // it that arrives afterwards is marked without a reload.
    const NEW_HOST = 'calls.example.net';
    const options = await browser.context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    try {
      await options.getByLabel('Call link host').fill(NEW_HOST);
      await options.getByRole('button', { name: 'Save' }).click();
      await options.getByText('Saved').first().waitFor({ timeout: 10_000 });
      await page.waitForTimeout(500);
      await page.evaluate(
        (href) => {
          const p = document.createElement('p');
          p.innerHTML = `New: <a id="on-new-host" href="${href}">the new one</a>`;
          document.querySelector('main')!.append(p);
        },
        linkUrl(payload(), NEW_HOST),
      );
      const after = await until(
        'the link on the new host is marked',
        10_000,
        () => badges(page),
        (b) => b.some((x) => x.after === 'on-new-host'),
      );
      expect(after.map((b) => b.after).sort()).toEqual(['on-default', 'on-host', 'on-new-host']);
    } finally {
      await options.getByLabel('Call link host').fill(LINK_HOST);
      await options.getByRole('button', { name: 'Save' }).click();
      await options.close();
    }
  });
});
