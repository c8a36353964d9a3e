import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ORIGIN } from '../../testkit/browser';
import { until } from '../../testkit/call-checks';
import { type Side, startSide, stopSide } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { cliOutput } from '../../testkit/processes';
import { screenshot } from '../../testkit/screenshots';
import { type SiteWorld, startSiteWorld } from '../../testkit/site-world';
import type { SiteServer } from '../../testkit/sites';

// Bob types http://alice.azero/ into Chromium with the extension: the PAC script sends the
// request to Bob's node, which resolves alice.azero on the SIMULATED contract chain
// (testkit/sim-chain) and reaches Alice's node over the overlay (private mode, through the
// testnet's blind relay); Alice's node hands it to the web server she published.

let world: SiteWorld | undefined;
let site: SiteServer;
let bob: Side;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  world = await startSiteWorld('e2e-sites', echo);
  site = world.site;
  bob = await startSide(world.dir.path, 'bob', world.bootstrap, echo, ['--endpoint', world.chain.url]);
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
  await world?.close();
  if (world) await expectNoLeftovers(world.dir.path);
  await world?.dir.remove();
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

describe('visiting a site by name in Chromium', () => {
  it('http://alice.azero/ shows the page Alice publishes', async () => {
    const page = await bob.person.context.newPage();
    const response = await page.goto('http://alice.azero/', { timeout: 40_000 });
    expect(response?.status()).toBe(200);
    await expect(page.locator('h1').textContent()).resolves.toBe('Alice’s site');
    expect(site.seen.find((r) => r.url === '/')).toEqual({ url: '/', host: 'alice.azero', from: '127.0.0.1' });
    await screenshot(page, 'site-alice');
    await page.close();
  });

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
