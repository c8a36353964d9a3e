import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { SignerPayloadJSON } from '@polkadot/types/types';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeId, shortNodeId } from '../../lib/node-id';
import { PublishServer } from '../../native-host/node/publish/server';
import { CHROMIUM } from '../../testkit/browser';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';

// The publishing page as built (native-host/dist/publish), in Chromium, against the
// SIMULATED contract chain, with a stand-in wallet injected the way wallet extensions do
// (window.injectedWeb3) whose key signs in this process. Nothing here is on-chain.

const NODE_ID = encodeNodeId(new Uint8Array(32).fill(11));
const STAEX_ID = encodeNodeId(new Uint8Array(32).fill(12));

let sim: SimulatedChain;
let api: ApiPromise;
let bob: KeyringPair;
let server: PublishServer;
// A node whose Staex network is up: its page offers the staex-id record too.
let staexServer: PublishServer;
let browser: Browser;

beforeAll(async () => {
  await cryptoWaitReady();
  bob = new Keyring({ type: 'sr25519' }).addFromUri('//Bob');
  sim = await startSimulatedChain({
    // The model keeps accounts as hex account ids.
    names: {
      bob: { owner: u8aToHex(bob.publicKey), records: { avatar: 'https://example.org/bob.png' } },
      carol: {},
      dave: { owner: u8aToHex(bob.publicKey) },
    },
  });
  api = await ApiPromise.create({ provider: new WsProvider(sim.url), noInitWarn: true });
  server = new PublishServer({ nodeId: NODE_ID, log: () => {} });
  staexServer = new PublishServer({ nodeId: NODE_ID, staexId: () => STAEX_ID, log: () => {} });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await staexServer?.close();
  await api?.disconnect();
  await sim?.close();
});

// A wallet as an extension injects it, with one account; signing happens here.
// `refuse`: the user presses Cancel in the wallet. `wallet: false`: no wallet installed.
async function openWithWallet(opts: { wallet?: boolean; refuse?: boolean; via?: PublishServer; name?: string } = {}): Promise<Page> {
  const page = await browser.newPage();
  await page.exposeFunction('__copybaraTestSign', (payload: SignerPayloadJSON) => {
    if (opts.refuse) throw new Error('Cancelled');
    const p = api.registry.createType('ExtrinsicPayload', payload, { version: payload.version });
    return p.sign(bob).signature;
  });
  if (opts.wallet !== false)
    await page.addInitScript((address: string) => {
      const accounts = [{ address, name: 'Bob', type: 'sr25519' }];
      const w = window as unknown as Record<string, unknown>;
      w.injectedWeb3 = {
        'polkadot-js': {
          version: '0.63.1',
          enable: async () => ({
            accounts: { get: async () => accounts, subscribe: (cb: (a: unknown) => void) => (cb(accounts), () => {}) },
            signer: {
              signPayload: async (payload: unknown) => ({
                id: 1,
                signature: await (w.__copybaraTestSign as (p: unknown) => Promise<string>)(payload),
              }),
            },
          }),
        },
      };
    }, bob.address);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const { url } = await (opts.via ?? server).open({ azero: [sim.url], tzero: [] }, opts.name ?? 'bob.azero');
  await page.goto(url);
  Object.assign(page, { errors });
  return page;
}

describe('publishing page (simulated chain)', () => {
  it('says so when there is no wallet', async () => {
    const page = await openWithWallet({ wallet: false });
    await page.getByText('No wallet found: install Polkadot.js, SubWallet or Talisman and allow this page').waitFor({ timeout: 20_000 });
    await expect(page.getByRole('button', { name: 'Look for wallets again' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('button', { name: 'Check' }).isDisabled()).resolves.toBe(true);
    await page.close();
  });

  it('says so when the wallet refuses to sign, and writes nothing', async () => {
    const page = await openWithWallet({ refuse: true });
    await page.getByRole('radio', { name: /bob\.azero/ }).waitFor({ timeout: 20_000 });
    await page.getByLabel('Domain', { exact: true }).fill('bob.azero');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#plan:not([hidden])').waitFor({ timeout: 20_000 });
    const before = sim.stats.submitted;
    await page.getByRole('button', { name: 'Publish' }).click();
    await page
      .locator('#progress li.problem')
      .getByText(/nothing was sent/i)
      .waitFor({ timeout: 20_000 });
    expect(sim.stats.submitted).toBe(before);
    expect(sim.model.names.get('bob')!.records.some(([k]) => k === 'copybara-id')).toBe(false);
    await page.close();
  });

  it('lists the domain, checks it, has the wallet sign, and confirms the record', async () => {
    const page = await openWithWallet();
    await page.getByText('Found one account in polkadot-js').waitFor({ timeout: 20_000 });
    await page.getByRole('radio', { name: /bob\.azero \(owner and controller\)/ }).waitFor({ timeout: 20_000 });
    await expect(page.getByLabel('Domain', { exact: true }).inputValue()).resolves.toBe('bob.azero');
    // "My name" is prefilled, and shown chosen in the list.
    await expect(page.getByRole('radio', { name: /bob\.azero/ }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('radio', { name: /^Bob \(/ }).isChecked()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#plan:not([hidden])').waitFor({ timeout: 20_000 });
    await expect(page.locator('#plan-fee').textContent()).resolves.toMatch(/AZERO/);
    await expect(page.locator('#plan-deposit').textContent()).resolves.toMatch(/AZERO/);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText(/Included in block #\d+/).waitFor({ timeout: 30_000 });
    await page.getByText(`Confirmed: bob.azero now points to this node (${shortNodeId(NODE_ID)}).`).waitFor({ timeout: 30_000 });
    const records = Object.fromEntries(sim.model.names.get('bob')!.records);
    expect(records).toEqual({ avatar: 'https://example.org/bob.png', 'copybara-id': NODE_ID });
    // Checking again: nothing left to publish.
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('bob.azero already points to this node').waitFor({ timeout: 20_000 });
    expect((page as unknown as { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('writes staex-id next to copybara-id when the node is on the Staex network', async () => {
    const page = await openWithWallet({ via: staexServer, name: 'dave.azero' });
    await page.getByText('Found one account in polkadot-js').waitFor({ timeout: 20_000 });
    await expect(page.getByLabel('Domain', { exact: true }).inputValue()).resolves.toBe('dave.azero');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#plan:not([hidden])').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText(`Confirmed: dave.azero now points to this node (${shortNodeId(NODE_ID)}).`).waitFor({ timeout: 30_000 });
    expect(Object.fromEntries(sim.model.names.get('dave')!.records)).toEqual({ 'copybara-id': NODE_ID, 'staex-id': STAEX_ID });
    expect((page as unknown as { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it('says why before signing when the account does not control the domain', async () => {
    const page = await openWithWallet();
    await page.getByText('Found one account in polkadot-js').waitFor({ timeout: 20_000 });
    await page.getByLabel('Domain', { exact: true }).fill('carol.azero');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText(/neither the owner nor the controller of carol\.azero/).waitFor({ timeout: 20_000 });
    await expect(page.getByRole('button', { name: 'Publish' }).isDisabled()).resolves.toBe(true);
    await page.getByLabel('Domain', { exact: true }).fill('nobody.azero');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText(/nobody\.azero is not registered/).waitFor({ timeout: 20_000 });
    await page.close();
  });
});
