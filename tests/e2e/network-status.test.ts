import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPopup } from '../../testkit/browser';
import { until } from '../../testkit/call-checks';
import { type Side, startSide, stopSide } from '../../testkit/call-flow';
import { expectNoLeftovers } from '../../testkit/leftovers';
import { screenshot } from '../../testkit/screenshots';
import { type Proc, startTestnet, tempDir } from '../../testkit/processes';

// The popup says in words how the node stands on the network: connected on a loopback
// testnet; not connected, and why, when its only bootstrap address is a closed port on
// 127.0.0.1 (nothing answers there, as with no internet or a firewall that drops UDP).

let testnet: Proc;
let dir: { path: string; remove(): Promise<void> };
let online: Side;
let cutOff: Side;
const echo = process.env.COPYBARA_TEST_LOGS === '1';

async function closedPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

beforeAll(async () => {
  dir = await tempDir('e2e-net');
  const net = await startTestnet(echo);
  testnet = net.proc;
  const nowhere = `127.0.0.1:${await closedPort()}`;
  [online, cutOff] = await Promise.all([startSide(dir.path, 'olga', net.bootstrap, echo), startSide(dir.path, 'otto', nowhere, echo)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([stopSide(online), stopSide(cutOff)]);
  await testnet?.stop();
  await expectNoLeftovers(dir.path);
  await dir?.remove();
});

async function networkStatus(side: Side, shot: string, settled: (text: string) => boolean): Promise<string> {
  const popup = await openPopup(side.person);
  await until(
    'own node id in the popup',
    15_000,
    () => popup.getByLabel('Your node id').textContent(),
    (t) => (t ?? '').includes(side.nodeId),
  );
  const text = await until(
    'a network status',
    15_000,
    async () => (await popup.getByLabel('Network status').textContent())?.trim() ?? '',
    settled,
  );
  await screenshot(popup, shot);
  await popup.close();
  return text;
}

describe('the network status in the popup', () => {
  it('on the testnet: connected, with the testnet relay known once the node has looked for relays', async () => {
    // Private mode (the default): "no relay known yet" until the first lookup has answered.
    expect(await networkStatus(online, 'popup', (t) => /relays? known$/.test(t))).toBe('Connected · 1 relay known');
  });

  it('with no bootstrap node answering: not connected, with what to check', async () => {
    expect(await networkStatus(cutOff, 'popup-network-not-connected', (t) => t !== '' && !/connecting/i.test(t))).toBe(
      'Not connected: no network node answered. Check your internet connection or firewall.',
    );
  });
});
