import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPopup } from '../../testkit/browser';
import { statusText, until } from '../../testkit/call-checks';
import { type Side, configureNames, startSide, stopSide } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { MESSENGER, answerInPreview, isPreviewTab, messengerWith, openMarkedMessenger, pressAnswer } from '../../testkit/link-badge';
import { type Proc, startTestnet, tempDir } from '../../testkit/processes';
import { type SimulatedChain, startSimulatedChain } from '../../testkit/sim-chain';

// A call link whose maker went offline: Alice copies a link and then her browser and node
// stop; Bob answers the link from a messenger badge and must be told, in words and within a
// bounded time, that Alice's node is not reachable (docs/links.md, "Answering a link").
// Everything runs on 127.0.0.1: a loopback testnet, the SIMULATED contract chain.

let testnet: Proc;
let dir: { path: string; remove(): Promise<void> };
let alice: Side;
let bob: Side;
let chain: SimulatedChain;
const echo = process.env.COPYBARA_TEST_LOGS === '1';
let messengerHtml = '';

// The caller's dial timeout (native-host/node/calls/timing.ts) is 15 s; the rest is
// slack for a shared machine: the badge's name check, the call tab opening.
const UNREACHABLE_WITHIN_MS = 30_000;

beforeAll(async () => {
  dir = await tempDir('e2e-offline');
  chain = await startSimulatedChain();
  const net = await startTestnet(echo);
  testnet = net.proc;
  [alice, bob] = await Promise.all([startSide(dir.path, 'alice', net.bootstrap, echo), startSide(dir.path, 'bob', net.bootstrap, echo)]);
  chain.register('alice', { records: { 'copybara-id': alice.nodeId } });
  await configureNames(alice, chain.url, 'alice.azero');
  await configureNames(bob, chain.url, 'bob.azero');
  await bob.person.context.route(/^https?:\/\//, (route) => {
    const url = route.request().url();
    if (url.startsWith(MESSENGER) && messengerHtml)
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: messengerHtml });
    return route.abort('blockedbyclient');
  });
}, 90_000);

afterAll(async () => {
  await Promise.all([stopSide(alice), stopSide(bob)]);
  await testnet?.stop();
  await chain?.close();
  await expectNoLeftovers(dir.path);
  await dir?.remove();
});

describe('a call link whose maker is offline', () => {
  it("Bob answers it and is told that alice.azero's node is not reachable, within a bounded time", async () => {
    const popup = await openPopup(alice.person);
    await until(
      'own node id in the popup',
      15_000,
      () => popup.getByLabel('Your node id').textContent(),
      (t) => (t ?? '').includes(alice.nodeId),
    );
    await popup.getByRole('button', { name: 'Copy call link' }).click();
    const url = (await popup.getByLabel('Your call link').textContent({ timeout: 15_000 })) ?? '';
    expect(url).toMatch(/^https:\/\/copybara\.network\/call#[A-Za-z0-9_-]{152,}$/);

    // Alice goes away without a word, like a laptop whose lid closed: her browser first (so
    // no bridge starts her node again), then her node killed, so its announcement stays on
    // the DHT and Bob's node finds an address where nobody answers.
    await alice.person.close();
    alice.node.child.kill('SIGKILL');

    messengerHtml = messengerWith(url);
    const page = await openMarkedMessenger(bob.person.context);

    // The badge opens the preview; the call is placed by the preview's Answer.
    const previewEvent = bob.person.context.waitForEvent('page', { predicate: isPreviewTab, timeout: 20_000 });
    await pressAnswer(page);
    const preview = await previewEvent;
    await preview.getByRole('button', { name: 'Answer' }).waitFor({ timeout: 15_000 });
    const pressed = Date.now();
    const tab = await answerInPreview(preview);
    const said = await until(
      "Bob is told Alice's node is not reachable",
      UNREACHABLE_WITHIN_MS,
      () => statusText(tab),
      (t) => /node is not reachable/i.test(t),
    );
    const tookMs = Date.now() - pressed;
    console.info(`offline maker: "${said.trim()}" ${tookMs} ms after Answer`);
    // Named by the verified name the link claimed (the simulated chain vouches for it).
    expect(said).toMatch(/alice\.azero's node is not reachable\. They may be offline\./);
    expect(tookMs).toBeLessThan(UNREACHABLE_WITHIN_MS);
  });
});
