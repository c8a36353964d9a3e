import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ORIGIN } from '../../testkit/browser';
import { until } from '../../testkit/call-checks';
import { type Side, chooseNetwork, startSide, stopSide } from '../../testkit/call-flow';
import { cliOutput } from '../../testkit/processes';
import { screenshot } from '../../testkit/screenshots';
import { type SiteWorld, startSiteWorld } from '../../testkit/site-world';
import type { SiteServer } from '../../testkit/sites';

// Bob types http://alice.azero/ into Chromium with the extension: the PAC script sends the
// request to Bob's node, which resolves alice.azero on the SIMULATED contract chain
// (testkit/sim-chain) and reaches Alice's node over the overlay (private mode, through the
// testnet's blind relay), or over the Staex network (the mcc stand-in: each node on its own
// loopback address) when Bob prefers it; Alice's node hands it to the web server she published.

let world: SiteWorld | undefined;
let site: SiteServer;
let bob: Side;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  world = await startSiteWorld('e2e-sites', echo, { staex: true });
  site = world.site;
  bob = await startSide(world.dir.path, 'bob', world.bootstrap, echo, ['--endpoint', world.chain.url, ...world.visitorArgs]);
  // The extension routes .azero hosts once it has the node's proxy port.
  const worker = bob.person.context.serviceWorkers().find((w) => w.url().startsWith(EXTENSION_ORIGIN))!;
  await until(
    'the extension controls the proxy setting',
    20_000,
    () =>
      worker.evaluate(async () => {
        const api = (globalThis as unknown as { chrome: { proxy: { settings: { get(d: object): Promise<{ levelOfControl: string }> } } } })
          .chrome;
        return (await api.proxy.settings.get({})).levelOfControl;
      }),
    (level) => level === 'controlled_by_this_extension',
  );
}, 120_000);

afterAll(async () => {
  await stopSide(bob);
  await world?.end();
});

describe('publishing from the options page', () => {
  it('publishes a port, shows it, and stops; the node keeps it in the profile', async () => {
    const page = await bob.person.context.newPage();
    await page.goto(`${EXTENSION_ORIGIN}/options.html`);
    const section = page.getByRole('region', { name: 'My site' });
    await until(
      'the node says what it publishes',
      15_000,
      async () => (await section.textContent()) ?? '',
      (t) => t.includes('Not publishing'),
    );
    await section.getByLabel('Local port').fill('http');
    await section.getByRole('button', { name: 'Publish' }).click();
    await expect(section.getByRole('alert').textContent()).resolves.toContain('a number from 1 to 65535');
    await section.getByLabel('Local port').fill(String(site.port));
    await section.getByRole('button', { name: 'Publish' }).click();
    await until(
      'published',
      15_000,
      async () => (await section.textContent()) ?? '',
      (t) => t.includes(`Publishing http://127.0.0.1:${site.port}`),
    );
    await screenshot(page, 'options-site');
    const listed = await cliOutput(['publish', '--list', '--profile', bob.profile]);
    expect(listed.stdout).toContain(`publishing http://127.0.0.1:${site.port}`);
    await section.getByRole('button', { name: 'Stop publishing' }).click();
    await until(
      'stopped',
      15_000,
      async () => (await section.textContent()) ?? '',
      (t) => t.includes('Not publishing'),
    );
    expect((await cliOutput(['publish', '--list', '--profile', bob.profile])).stdout).toContain('publishing nothing');
    await page.close();
  });
});

// The network Bob's node opened its connection to Alice's site on, from its log.
const siteNetworks = (from: number) =>
  bob.node.output
    .slice(from)
    .filter((l) => l.includes('site connection to') && l.includes(' open over '))
    .map((l) => l.slice(l.lastIndexOf(' ') + 1));

// The network Bob's node was last told he prefers for sites (the extension pushes it).
const preferred = async () =>
  bob.node.output
    .filter((l) => l.includes('names with a staex-id are visited over'))
    .at(-1)
    ?.split(' over ')[1]
    ?.split(' ')[0];

describe.each([
  { network: 'hyperdht', label: 'HyperDHT (embedded)', shot: 'site-alice' },
  { network: 'staex', label: 'Staex network (mcc-public)', shot: null },
] as const)('visiting a site by name in Chromium over $network', ({ network, label, shot }) => {
  it('http://alice.azero/ shows the page Alice publishes', async () => {
    await chooseNetwork(bob, label, /^Staex network: node [0-9a-z]{52}$/);
    await until("Bob's node takes his setting", 10_000, preferred, (p) => p === network);
    const from = bob.node.output.length;
    const page = await bob.person.context.newPage();
    const response = await page.goto('http://alice.azero/', { timeout: 40_000 });
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Alice’s site');
    expect(site.seen.find((r) => r.url === '/')).toEqual({ url: '/', host: 'alice.azero', from: '127.0.0.1' });
    expect(siteNetworks(from)).toEqual([network]);
    if (shot) await screenshot(page, shot);
    await page.close();
  });
});

describe('visiting a site by name in Chromium', () => {
  it('an unregistered name shows a page saying so', async () => {
    const page = await bob.person.context.newPage();
    const response = await page.goto('http://nobody.azero/', { timeout: 40_000 });
    expect(response?.status()).toBe(404);
    await expect(page.locator('h1').textContent()).resolves.toBe('nobody.azero does not point to a Copybara node');
    await screenshot(page, 'site-unregistered');
    await page.close();
  });

  it('a name whose node is offline shows a page saying so', async () => {
    const page = await bob.person.context.newPage();
    const response = await page.goto('http://ghost.azero/', { timeout: 60_000 });
    expect(response?.status()).toBe(504);
    await expect(page.locator('h1').textContent()).resolves.toBe('ghost.azero is not reachable');
    await page.close();
  }, 90_000);
});

describe('a bare name typed into Chromium (sent to the search engine)', () => {
  // What Chromium's address bar opens for a typed `alice.azero`: a search. The engine is a
  // STAND-IN (the test's own answer, so no request leaves the machine).
  const SEARCH = 'https://www.google.com/search?q=alice.azero&oq=alice.azero&sourceid=chrome&ie=UTF-8';
  const searched: string[] = [];

  beforeAll(async () => {
    await bob.person.context.route('https://www.google.com/**', (route) => {
      searched.push(route.request().url());
      return route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>Results</title><h1>${STAND_IN}</h1>` });
    });
  });

  async function setSiteSearch(on: boolean): Promise<void> {
    const page = await bob.person.context.newPage();
    await page.goto(`${EXTENSION_ORIGIN}/options.html`);
    const section = page.getByRole('region', { name: 'Visiting sites' });
    const box = section.getByLabel('Open bare names as sites');
    await until(
      'the setting is read',
      10_000,
      () => box.isEnabled(),
      (enabled) => enabled,
    );
    await box.setChecked(on);
    await until(
      'the setting is saved',
      10_000,
      async () => (await section.getByRole('status').textContent()) ?? '',
      (t) => t.startsWith(on ? 'On:' : 'Off:'),
    );
    if (on) await screenshot(section, 'options-site-search');
    await page.close();
  }

  const STAND_IN = 'Search engine stand-in';
  // Where a new tab opened at `url` ends: its address once it shows the search engine's page
  // or Alice's (not the "blocked" page in between), and that heading.
  async function landing(url: string): Promise<{ url: string; heading: string }> {
    const page = await bob.person.context.newPage();
    // A stopped search ends this navigation with an error; the tab then moves on by itself.
    await page.goto(url, { timeout: 20_000 }).catch(() => undefined);
    const settled = await until(
      `the tab opened at ${url} shows a page`,
      40_000,
      // Address and heading read together, from the page itself.
      () =>
        page
          .evaluate(() => ({ url: location.href, heading: document.querySelector('h1')?.textContent ?? '' }))
          .catch(() => ({ url: '', heading: '' })),
      (s) => s.heading === STAND_IN || s.heading === 'Alice’s site',
    );
    await page.close();
    return settled;
  }

  it('off (the default): the search goes to the search engine', async () => {
    const seenBefore = site.seen.length;
    expect(await landing(SEARCH)).toEqual({ url: SEARCH, heading: STAND_IN });
    expect(searched).toContain(SEARCH);
    expect(site.seen.length).toBe(seenBefore);
  });

  it('on: the search is stopped before it is sent and the tab opens Alice’s site', async () => {
    await setSiteSearch(true);
    searched.length = 0;
    await until(
      'the search is stopped',
      10_000,
      async () => (await landing(SEARCH)).url,
      (u) => u === 'http://alice.azero/',
    );
    expect(await landing(SEARCH)).toEqual({ url: 'http://alice.azero/', heading: 'Alice’s site' });
    expect(searched).toEqual([]);
    // Not a name: a search as before.
    const other = 'https://www.google.com/search?q=alice+azero+blog';
    expect(await landing(other)).toEqual({ url: other, heading: STAND_IN });
    // Shaped like a name, refused by the name codec: the same search reaches the engine.
    expect(await landing('https://www.google.com/search?q=0xdead.azero')).toEqual({
      url: 'https://www.google.com/search?q=0xdead%2Eazero',
      heading: STAND_IN,
    });
  });

  it('turned off again: searches go to the search engine again', async () => {
    await setSiteSearch(false);
    await until(
      'the search goes through',
      10_000,
      async () => (await landing(SEARCH)).url,
      (u) => u === SEARCH,
    );
    expect(searched).toContain(SEARCH);
  });
});
