import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ORIGIN } from '../../testkit/browser';
import { until } from '../../testkit/call-checks';
import { type Side, startSide, stopSide } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { type Proc, startTestnet, tempDir } from '../../testkit/processes';

// Chromium's .azero routing is a PAC script that replaces the browser's proxy settings. A
// person whose network needs a proxy for the web names it under Settings → Sites, and every
// other site then goes there. The "office proxy" here is a small HTTP server on 127.0.0.1
// that answers every request itself, so nothing leaves the machine; no page is opened until
// the PAC script in force sends other sites to it.

let testnet: Proc;
let dir: { path: string; remove(): Promise<void> };
let bob: Side;
let office: Server;
let officePort = 0;
const seen: string[] = [];
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  dir = await tempDir('e2e-other-proxy');
  office = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>office</title><h1>through the office proxy</h1>');
  });
  await new Promise<void>((resolve) => office.listen(0, '127.0.0.1', resolve));
  officePort = (office.address() as AddressInfo).port;
  const net = await startTestnet(echo);
  testnet = net.proc;
  bob = await startSide(dir.path, 'bob', net.bootstrap, echo);
}, 120_000);

afterAll(async () => {
  await stopSide(bob);
  await testnet?.stop();
  await new Promise((resolve) => office?.close(resolve));
  if (dir) await expectNoLeftovers(dir.path);
  await dir?.remove();
});

// The PAC script in force in Bob's Chromium ('' before the extension set one).
function pacInForce(): Promise<string> {
  const worker = bob.person.context.serviceWorkers().find((w) => w.url().startsWith(EXTENSION_ORIGIN))!;
  return worker.evaluate(async () => {
    type Setting = { levelOfControl: string; value: { pacScript?: { data?: string } } };
    const api = (globalThis as unknown as { chrome: { proxy: { settings: { get(d: object): Promise<Setting> } } } }).chrome;
    const s = await api.proxy.settings.get({});
    return s.levelOfControl === 'controlled_by_this_extension' ? (s.value.pacScript?.data ?? '') : '';
  });
}

async function saveOtherProxy(page: Page, text: string): Promise<void> {
  await page.getByLabel('Proxy for other sites').fill(text);
  await page.getByRole('button', { name: 'Save' }).click();
}

describe('the proxy for other sites (Chromium)', () => {
  it("sends every other site to the network's proxy once given, and direct again once cleared", async () => {
    await until(
      'the extension routes .azero sites',
      20_000,
      pacInForce,
      (pac) => pac.includes('PROXY 127.0.0.1:') && pac.includes('return "DIRECT"'),
    );
    const options = await bob.person.context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);

    await saveOtherProxy(options, 'proxy.example.com');
    await until(
      'the settings page says what is wrong',
      10_000,
      async () => (await options.getByRole('alert').allTextContents()).join(' '),
      (t) => t.includes('host:port'),
    );
    expect(await pacInForce()).not.toContain('proxy.example.com');

    await saveOtherProxy(options, `127.0.0.1:${officePort}`);
    await until('the PAC script sends other sites to the office proxy', 15_000, pacInForce, (pac) =>
      pac.includes(`return "PROXY 127.0.0.1:${officePort}"`),
    );
    const page = await bob.person.context.newPage();
    await page.goto('http://example.com/some/page', { timeout: 15_000 });
    expect(await page.textContent('h1')).toBe('through the office proxy');
    expect(seen).toContain('http://example.com/some/page');
    await page.close();

    await saveOtherProxy(options, '');
    await until(
      'the PAC script sends other sites direct again',
      15_000,
      pacInForce,
      (pac) => pac.includes('return "DIRECT"') && !pac.includes(String(officePort)),
    );
    await options.close();
  });
});
