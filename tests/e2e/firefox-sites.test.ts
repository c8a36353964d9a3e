import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopSide } from '../../testkit/call-flow';
import { type FirefoxSide, firefoxSideFor, openFirefoxPopup } from '../../testkit/firefox-call';
import { firefoxScreenshot, openPage, selectedTab, typeIntoAddressBar } from '../../testkit/firefox';
import { until } from '../../testkit/call-checks';
import { SITE_SEARCH_RULE_IDS } from '../../lib/ext/site-search';
import { SITE_GUARD_RULE_ID, SITE_URL_PATTERNS } from '../../lib/ext/site-proxy';
import { startNode } from '../../testkit/processes';
import { type SiteWorld, startSiteWorld } from '../../testkit/site-world';

// Bob visits http://alice.azero/ in Debian's Firefox ESR with the Firefox build of the
// extension: its proxy.onRequest listener sends the request to Bob's node, which resolves
// alice.azero on the SIMULATED contract chain (testkit/sim-chain) and reaches Alice's node
// over the loopback testnet; Alice's node hands it to the web server she published. The test
// Firefox's own proxy setting points at a closed port (testkit/firefox.ts), so only requests
// the extension routed can reach anything.

let world: SiteWorld | undefined;
let bob: FirefoxSide | undefined;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  world = await startSiteWorld('e2e-ff-sites', echo);
  const profile = join(world.dir.path, 'bob-node');
  const node = await startNode(profile, world.bootstrap, 'bob', echo, { args: ['--endpoint', world.chain.url] });
  bob = await firefoxSideFor({
    root: world.dir.path,
    name: 'bob',
    bootstrap: world.bootstrap,
    node: node.proc,
    nodeId: node.nodeId,
    profile,
  });
  // Once the popup shows the node id, the background has the node's status, proxy port included.
  await (await openFirefoxPopup(bob)).close();
}, 120_000);

afterAll(async () => {
  await stopSide(bob);
  await world?.end();
});

// The ids of the extension's dynamic DNR rules, asked from one of its pages.
function dynamicRuleIds(page: import('puppeteer-core').Page): Promise<number[]> {
  return page.evaluate(async () => {
    const api = (globalThis as unknown as { browser: { declarativeNetRequest: { getDynamicRules(): Promise<{ id: number }[]> } } }).browser;
    return (await api.declarativeNetRequest.getDynamicRules()).map((r) => r.id);
  });
}

async function visit(
  url: string,
  timeoutMs: number,
): Promise<{ status: number | null; heading: string; page: import('puppeteer-core').Page }> {
  const page = await bob!.person.browser.newPage();
  const response = await page.goto(url, { timeout: timeoutMs }).catch((err: unknown) => {
    throw new Error(`Firefox could not open ${url}: ${String(err)}`);
  });
  const heading = await page.evaluate(() => document.querySelector('h1')?.textContent ?? document.body.innerText.slice(0, 200));
  return { status: response?.status() ?? null, heading, page };
}

describe('visiting a site by name in Firefox', () => {
  it('http://alice.azero/ shows the page Alice publishes', async () => {
    const { status, heading, page } = await visit('http://alice.azero/', 40_000);
    expect(heading).toBe('Alice’s site');
    expect(status).toBe(200);
    expect(world!.site.seen.find((r) => r.url === '/')).toEqual({ url: '/', host: 'alice.azero', from: '127.0.0.1' });
    await firefoxScreenshot(page, 'site-alice-firefox');
    await page.close();
  });

  it('an unregistered name shows a page saying so', async () => {
    const { status, heading, page } = await visit('http://nobody.azero/', 40_000);
    expect(heading).toBe('nobody.azero does not point to a Copybara node');
    expect(status).toBe(404);
    await page.close();
  });
});

describe('typed into Firefox’s address bar', () => {
  // What a tab shows after `text` was typed and Enter pressed: Alice's site, seen by her server.
  async function typedOpensAlice(text: string): Promise<string> {
    const before = world!.site.seen.length;
    const picked = await typeIntoAddressBar(bob!.person, text);
    await until(
      `"${text}" typed (Enter picked ${picked}) opens Alice's site`,
      40_000,
      () => selectedTab(bob!.person),
      (t) => t.url === 'http://alice.azero/' && t.title === 'Alice',
    );
    expect(world!.site.seen.length).toBeGreaterThan(before);
    return picked;
  }

  it('http://alice.azero/ and alice.azero/ open the site', async () => {
    await typedOpensAlice('http://alice.azero/');
    await typedOpensAlice('alice.azero/');
  });

  it('the keyword: "azero alice" opens the site', async () => {
    await typedOpensAlice('azero alice');
  });

  it('the bare alice.azero is a search, until "Open bare names as sites" is on', async () => {
    const before = world!.site.seen.length;
    const picked = await typeIntoAddressBar(bob!.person, 'alice.azero');
    // Enter picks a search (not, say, an address completed from history).
    expect(JSON.parse(picked)).toHaveProperty('engine');
    // The test Firefox's own proxy refuses it: nothing leaves the machine.
    const searched = await until(
      `"alice.azero" typed (Enter picked ${picked}) goes to the search engine`,
      20_000,
      () => selectedTab(bob!.person),
      (t) => t.url.includes('q=alice.azero'),
    );
    expect(new URL(searched.url).hostname).not.toMatch(/\.azero$/);
    expect(world!.site.seen.length).toBe(before);

    const options = await bob!.person.browser.newPage();
    await openPage(options, `${bob!.person.origin}/options.html`);
    const box = await options.waitForSelector('::-p-aria([name="Open bare names as sites"])', { timeout: 10_000 });
    await box!.click();
    await until(
      'the setting is saved',
      10_000,
      () => options.evaluate(() => document.body.innerText),
      (t) => t.includes('On: searches for a bare name open its site.'),
    );
    // The background adds its rules when it sees the setting change.
    await until(
      'the search rules are in place',
      10_000,
      () => dynamicRuleIds(options),
      (ids) => ids.includes(SITE_SEARCH_RULE_IDS[0]!),
    );
    await options.close();
    expect(JSON.parse(await typedOpensAlice('alice.azero'))).toHaveProperty('engine');
  });
});

describe('when Firefox may not route the site addresses', () => {
  it('the popup says so, and site requests are blocked rather than handed to the person’s own proxy or the DNS', async () => {
    const options = await bob!.person.browser.newPage();
    await openPage(options, `${bob!.person.origin}/options.html`);
    // What a person does in about:addons → Permissions, done from our own page.
    const removed = await options.evaluate(
      async (origins: string[]) => {
        const api = (globalThis as unknown as { browser: { permissions: { remove(p: { origins: string[] }): Promise<boolean> } } }).browser;
        return api.permissions.remove({ origins });
      },
      [...SITE_URL_PATTERNS],
    );
    expect(removed).toBe(true);
    await until(
      'the guard rule is in place',
      10_000,
      () => dynamicRuleIds(options),
      (ids) => ids.includes(SITE_GUARD_RULE_ID),
    );
    await options.close();

    const popup = await openFirefoxPopup(bob!);
    const notice = await until(
      'the popup says sites cannot open',
      10_000,
      () => popup.evaluate(() => document.querySelector('[aria-label="Sites"]')?.textContent ?? ''),
      (t) => t.includes('may not handle .azero'),
    );
    expect(notice).toContain('Allow .azero sites');
    await firefoxScreenshot(popup, 'popup-sites-firefox');
    await popup.close();

    const before = world!.site.seen.length;
    const page = await bob!.person.browser.newPage();
    const failed = await page.goto('http://alice.azero/', { timeout: 20_000 }).then(
      () => 'opened',
      (err: unknown) => String(err),
    );
    // Stopped by the extension's block rule (not refused by the test Firefox's own proxy).
    expect(failed).toContain('NS_ERROR_ABORT');
    expect(world!.site.seen.length).toBe(before);
    await page.close();
  });
});
