import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mediaSummary, statusText, until } from '../../testkit/call-checks';
import {
  type Side,
  answer,
  chooseNetwork,
  closeCallTabs,
  configureNames,
  dial,
  nodeCalls,
  startSide,
  stopSide,
} from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { type StaexStandin, startStaexStandin } from '../../testkit/network/staex';
import { type Proc, startTestnet, tempDir } from '../../testkit/processes';
import { screenshot } from '../../testkit/screenshots';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';

// The same call by name on each network: Alice calls bob.azero, whose records hold both his
// node id and his Staex id, with HyperDHT or Staex chosen in her settings. The Staex network
// is the mcc stand-in's (each node on its own loopback address); the chain is SIMULATED.

let chain: SimulatedChain;
let testnet: Proc;
let standin: StaexStandin;
let dir: { path: string; remove(): Promise<void> };
let alice: Side;
let bob: Side;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

beforeAll(async () => {
  dir = await tempDir('networks');
  chain = await startSimulatedChain();
  standin = await startStaexStandin();
  const net = await startTestnet(echo);
  testnet = net.proc;
  const [sa, sb] = [await standin.add(), await standin.add()];
  const staexArgs = (command: string[]) => ['--mcc', command.join(' '), '--staex-port', String(standin.port)];
  [alice, bob] = await Promise.all([
    startSide(dir.path, 'alice', net.bootstrap, echo, staexArgs(sa.command)),
    startSide(dir.path, 'bob', net.bootstrap, echo, staexArgs(sb.command)),
  ]);
  chain.register('alice', { records: { 'copybara-id': alice.nodeId, 'staex-id': sa.staexId } });
  chain.register('bob', { records: { 'copybara-id': bob.nodeId, 'staex-id': sb.staexId } });
  await configureNames(alice, chain.url, 'alice.azero');
  await configureNames(bob, chain.url, 'bob.azero');
});

afterEach(async () => {
  await closeCallTabs(alice, bob);
});

afterAll(async () => {
  await Promise.all([stopSide(alice), stopSide(bob)]);
  await testnet?.stop();
  await chain?.close();
  await standin?.destroy();
  await expectNoLeftovers(dir.path);
  await dir?.remove();
});

describe.each([
  { network: 'hyperdht', label: 'HyperDHT (embedded)', shown: 'HyperDHT (embedded)' },
  { network: 'staex', label: 'Staex network (mcc-public)', shown: 'Staex (mcc-public)' },
] as const)('a call by name over $network', ({ network, label, shown }) => {
  it('connects with media both ways, and both call tabs say which network carries it', async () => {
    await chooseNetwork(alice, label, /^Staex network: node [0-9a-z]{52}$/, async (page) => {
      if (network === 'staex') await screenshot(page.locator('section[aria-labelledby="network-heading"]'), 'options-network');
    });
    const { tab: aliceTab, popup } = await dial(alice, 'bob.azero');
    await popup.close();
    const bobTab = await answer(bob);
    for (const [who, tab] of [
      ['Alice', aliceTab],
      ['Bob', bobTab],
    ] as const) {
      const m = await until(
        `${who}'s media`,
        30_000,
        () => mediaSummary(tab),
        (s) => s.framesDecoded > 10 && s.audioPacketsReceived > 20,
      );
      expect(m.localCandidateType, `${who}'s local candidate`).toBe('relay');
      await until(
        `${who} sees "In call"`,
        5000,
        () => statusText(tab),
        (t) => /in call/i.test(t),
      );
      await tab.getByRole('button', { name: 'Call details' }).click();
      await expect.poll(() => tab.locator('[data-stat="network"]').textContent(), { timeout: 5000 }).toBe(shown);
    }
    if (network === 'staex') await screenshot(aliceTab.locator('#call-details'), 'call-details-staex');
    for (const side of [alice, bob]) {
      const [call] = await nodeCalls(side);
      expect(call?.route?.network ?? 'hyperdht', `${side.name}'s node: the call's network`).toBe(network);
    }
    const codes = await Promise.all([aliceTab, bobTab].map((t) => t.getByLabel('Safety code').textContent()));
    expect(codes[0]).toBe(codes[1]);
    await aliceTab.getByRole('button', { name: 'Hang up' }).click();
    await until(
      'Bob sees Alice hung up',
      10_000,
      () => statusText(bobTab),
      (t) => /hung up/i.test(t),
    );
  });
});
