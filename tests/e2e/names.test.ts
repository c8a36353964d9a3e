import type { Worker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ORIGIN } from '../../testkit/browser';
import { framesFlow, statusText, until } from '../../testkit/call-checks';
import { type Side, answer, closeCallTabs, dial, startSide, stopSide, configureNames } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { NodeSocket, callState } from '../../testkit/node-socket';
import { type Proc, startNode, startTestnet, tempDir } from '../../testkit/processes';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';
import { screenshot } from '../../testkit/screenshots';

// Calls by AZERO.ID name against the SIMULATED contract chain (testkit/sim-chain: the real
// @polkadot/api in the extension talks to a registry model on 127.0.0.1, not to Aleph Zero).

let chain: SimulatedChain;
let testnet: Proc;
let dir: { path: string; remove(): Promise<void> };
let alice: Side;
let bob: Side;
let carol: { proc: Proc; nodeId: string; socket: NodeSocket };
const echo = process.env.COPYBARA_TEST_LOGS === '1';

function configure(side: Side, myName: string): Promise<void> {
  return configureNames(side, chain.url, myName);
}

function worker(side: Side): Worker {
  return side.person.context.serviceWorkers().find((w) => w.url().startsWith(EXTENSION_ORIGIN))!;
}

beforeAll(async () => {
  dir = await tempDir('names');
  chain = await startSimulatedChain();
  const net = await startTestnet(echo);
  testnet = net.proc;
  [alice, bob] = await Promise.all([startSide(dir.path, 'alice', net.bootstrap, echo), startSide(dir.path, 'bob', net.bootstrap, echo)]);
  const c = await startNode(`${dir.path}/carol-node`, net.bootstrap, 'carol', echo);
  carol = { ...c, socket: await NodeSocket.connect(`${dir.path}/carol-node/node.sock`) };
  chain.register('alice', { records: { 'copybara-id': alice.nodeId } });
  chain.register('bob', { records: { 'copybara-id': bob.nodeId } });
  await configure(alice, 'alice.azero');
  await configure(bob, 'bob.azero');
});

afterEach(async () => {
  await closeCallTabs(alice, bob);
});

afterAll(async () => {
  carol?.socket.close();
  await carol?.proc.stop();
  await Promise.all([stopSide(alice), stopSide(bob)]);
  await testnet?.stop();
  await chain?.close();
  await expectNoLeftovers(dir.path);
  await dir?.remove();
});

describe('calls by AZERO.ID name (simulated contract)', () => {
  it("Alice calls bob.azero; each side sees the other's name verified", async () => {
    const { tab: aliceTab, popup } = await dial(alice, 'bob.azero');
    await popup.close();
    const bobTab = await answer(bob);
    await until(
      'Bob sees alice.azero verified',
      10_000,
      () => bobTab.getByLabel('Caller name').textContent(),
      (t) => (t ?? '').includes('alice.azero ✓'),
    );
    await until(
      'Alice sees bob.azero verified',
      10_000,
      () => aliceTab.getByLabel('Name called').textContent(),
      (t) => (t ?? '').includes('bob.azero ✓'),
    );
    await framesFlow(aliceTab, 'Alice');
    await until(
      'Bob in the call',
      10_000,
      () => statusText(bobTab),
      (t) => /in call/i.test(t),
    );
    await screenshot(bobTab, 'incoming-verified');
    await aliceTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'Bob sees the end',
      10_000,
      () => statusText(bobTab),
      (t) => /hung up/i.test(t),
    );
  });

  it("a node claiming alice.azero that is not Alice's is refused without ringing", async () => {
    const call = await carol.socket.request({ type: 'call', target: bob.nodeId, name: 'alice.azero' });
    await carol.socket.waitFor('Carol is refused', callState(call.callId, 'ended', 'declined'), 20_000);
    expect(bob.person.context.pages().some((p) => p.url().includes('/call.html'))).toBe(false);
  });

  it('with the chain down, a name called before still calls and says when it was last verified', async () => {
    await chain.down();
    try {
      // Age Alice's saved answer for bob.azero past the cache's freshness.
      await worker(alice).evaluate(async () => {
        const chromeApi = (
          globalThis as unknown as {
            chrome: { storage: { local: { get(k: string): Promise<Record<string, unknown>>; set(v: object): Promise<void> } } };
          }
        ).chrome;
        const { nameCache } = (await chromeApi.storage.local.get('nameCache')) as { nameCache: Record<string, { verifiedAt: number }> };
        nameCache['bob.azero']!.verifiedAt = Date.now() - 3 * 3600_000;
        await chromeApi.storage.local.set({ nameCache });
      });
      const { tab, popup } = await dial(alice, 'bob.azero');
      expect(await popup.textContent('body')).toMatch(/Using the saved address of bob\.azero, last verified 3 h ago/);
      await popup.close();
      const bobTab = await answer(bob);
      await framesFlow(tab, 'Alice');
      await bobTab.getByRole('button', { name: 'Hang up' }).click();
    } finally {
      await chain.up();
    }
  });
});
