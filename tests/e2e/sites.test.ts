import DHT from 'hyperdht';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ORIGIN } from '../../testkit/browser';
import { until } from '../../testkit/call-checks';
import { type Side, chooseNetwork, startSide, stopSide } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { encodeNodeId } from '../../lib/node-id';
import { type StaexStandin, startStaexStandin } from '../../testkit/network/staex';
import { type Proc, cliOutput, startNode, startTestnet, tempDir } from '../../testkit/processes';
import { screenshot } from '../../testkit/screenshots';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';
import { type SiteServer, startSiteServer } from '../../testkit/sites';

// Bob types http://alice.azero/ into Chromium with the extension: the PAC script sends the
// request to Bob's node, which resolves alice.azero on the SIMULATED contract chain
// (testkit/sim-chain) and reaches Alice's node over the overlay (private mode, through the
// testnet's blind relay), or over the Staex network (the mcc stand-in: each node on its own
// loopback address) when Bob prefers it; Alice's node hands it to the web server she published.

let chain: SimulatedChain;
let testnet: Proc;
let dir: { path: string; remove(): Promise<void> };
let site: SiteServer;
let standin: StaexStandin;
let alice: { proc: Proc; nodeId: string };
let bob: Side;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  dir = await tempDir('e2e-sites');
  chain = await startSimulatedChain();
  site = await startSiteServer();
  const net = await startTestnet(echo);
  testnet = net.proc;
  standin = await startStaexStandin();
  const [sa, sb] = [await standin.add(), await standin.add()];
  const staexArgs = (command: string[]) => ['--mcc', command.join(' '), '--staex-port', String(standin.port)];
  const aliceProfile = `${dir.path}/alice-node`;
  alice = await startNode(aliceProfile, net.bootstrap, 'alice', echo, { args: staexArgs(sa.command) });
  const published = await cliOutput(['publish', String(site.port), '--profile', aliceProfile]);
  expect(published.stdout).toContain(`publishing http://127.0.0.1:${site.port} as this node's site`);
  bob = await startSide(dir.path, 'bob', net.bootstrap, echo, ['--endpoint', chain.url, ...staexArgs(sb.command)]);
  chain.register('alice', { records: { 'copybara-id': alice.nodeId, 'staex-id': sa.staexId } });
  chain.register('ghost', { records: { 'copybara-id': encodeNodeId(DHT.keyPair().publicKey) } });
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
  await alice?.proc.stop();
  await testnet?.stop();
  await site?.close();
  await chain?.close();
  await standin?.destroy();
  if (dir) await expectNoLeftovers(dir.path);
  await dir?.remove();
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
