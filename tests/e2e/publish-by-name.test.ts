import { u8aToHex } from '@polkadot/util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPopup } from '../../testkit/browser';
import { framesFlow, until } from '../../testkit/call-checks';
import { type Side, answer, closeCallTabs, configureNames, dial, startSide, stopSide } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { type Proc, startTestnet, tempDir } from '../../testkit/processes';
import { screenshot } from '../../testkit/screenshots';
import { installTestWallet } from '../../testkit/test-wallet';
import { type KeyringSigner, keyringSigner } from '../../testkit/keyring-signer';
import { shortNodeId } from '../../lib/node-id';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';

// Publishing from the product itself: Bob presses "Publish my node id" in his popup, his
// node opens its page on 127.0.0.1, a TEST WALLET injected into that page (its key signs in
// this process) writes his node id into bob.azero on the SIMULATED contract chain, and the
// next call to bob.azero reaches his node. Nothing here is on-chain.

let chain: SimulatedChain;
let testnet: Proc;
let dir: { path: string; remove(): Promise<void> };
let alice: Side;
let bob: Side;
let wallet: KeyringSigner;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  dir = await tempDir('publish');
  wallet = await keyringSigner('//BobWallet');
  chain = await startSimulatedChain();
  const net = await startTestnet(echo);
  testnet = net.proc;
  [alice, bob] = await Promise.all([startSide(dir.path, 'alice', net.bootstrap, echo), startSide(dir.path, 'bob', net.bootstrap, echo)]);
  chain.register('alice', { records: { 'copybara-id': alice.nodeId } });
  // bob.azero belongs to the wallet's key and does not point to Bob's node yet.
  chain.register('bob', { owner: u8aToHex(wallet.pair.publicKey), records: { avatar: 'https://example.org/bob.png' } });
  await configureNames(alice, chain.url, 'alice.azero');
  await configureNames(bob, chain.url, 'bob.azero');
  await installTestWallet(bob.person.context, [{ address: wallet.address, name: 'Bob', type: 'sr25519' }], (payload) =>
    wallet.signPayload(payload as never),
  );
});

afterAll(async () => {
  await closeCallTabs(alice, bob).catch(() => undefined);
  await Promise.all([stopSide(alice), stopSide(bob)]);
  await testnet?.stop();
  await chain?.close();
  await expectNoLeftovers(dir.path);
  await dir?.remove();
});

async function openPublishPage(): Promise<Page> {
  const popup = await openPopup(bob.person);
  await until(
    'own node id in the popup',
    15_000,
    () => popup.getByLabel('Your node id').textContent(),
    (t) => (t ?? '').includes(bob.nodeId),
  );
  const opened = bob.person.context.waitForEvent('page', { timeout: 15_000, predicate: (p) => p.url().startsWith('http://127.0.0.1:') });
  await popup.getByRole('button', { name: 'Publish my node id' }).click();
  const page = await opened;
  await popup.close();
  return page;
}

describe('publishing the node id (simulated contract, test wallet)', () => {
  it('Bob publishes from his popup and the next call to bob.azero reaches his node', async () => {
    const page = await openPublishPage();
    expect(page.url()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/publish\/[A-Za-z0-9_-]{22,}\/$/);
    await page.getByRole('radio', { name: /bob\.azero \(owner and controller\)/ }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Check' }).click();
    await page.locator('#plan:not([hidden])').waitFor({ timeout: 20_000 });
    await expect(page.locator('#plan-fee').textContent()).resolves.toMatch(/AZERO/);
    await screenshot(page, 'publish-check');
    expect(wallet.called).toBe(0);
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByText(`Confirmed: bob.azero now points to this node (${shortNodeId(bob.nodeId)}).`).waitFor({ timeout: 45_000 });
    await screenshot(page, 'publish-confirmed');
    expect(wallet.called).toBe(1);
    // Only the node-id record was written; the name's other record is untouched.
    expect(Object.fromEntries(chain.model.names.get('bob')!.records)).toEqual({
      avatar: 'https://example.org/bob.png',
      'copybara-id': bob.nodeId,
    });
    await page.close();

    const { tab, popup } = await dial(alice, 'bob.azero');
    await popup.close();
    const bobTab = await answer(bob);
    await until(
      'Alice sees bob.azero verified',
      15_000,
      () => tab.getByLabel('Name called').textContent(),
      (t) => (t ?? '').includes('bob.azero ✓'),
    );
    await framesFlow(tab, 'Alice');
    await bobTab.getByRole('button', { name: 'Hang up' }).click();
  });

  it('the page answers only its own secret address', async () => {
    const page = await openPublishPage();
    await page.getByRole('radio', { name: /bob\.azero/ }).waitFor({ timeout: 30_000 });
    const url = new URL(page.url());
    // Another site (here: another page on 127.0.0.1) cannot read anything behind the page.
    const other = await bob.person.context.newPage();
    await other.goto('about:blank');
    const probes = await other.evaluate(async (base) => {
      const tries = [`${base}config.json`, `${new URL(base).origin}/publish/`, `${new URL(base).origin}/config.json`];
      return Promise.all(
        tries.map((u) =>
          fetch(u).then(
            (r) => `status ${r.status}`,
            (e: Error) => `refused ${e.name}`,
          ),
        ),
      );
    }, `${url.origin}${url.pathname}`);
    expect(probes.every((p) => !p.startsWith('status 2'))).toBe(true);
    // A second opening makes a new secret; the first address stops answering.
    const again = await openPublishPage();
    expect(new URL(again.url()).pathname).not.toBe(url.pathname);
    const old = await bob.person.context.request.get(`${url.origin}${url.pathname}config.json`, {
      failOnStatusCode: false,
      timeout: 10_000,
    });
    expect(old.status()).toBe(404);
    await Promise.all([page.close(), again.close(), other.close()]);
  });
});
