import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../lib/node-id';
import type { NodeStatus } from '../../lib/protocol/native';
import { EXTENSION_ORIGIN } from '../../testkit/browser';
import { until } from '../../testkit/call-checks';
import type { Side } from '../../testkit/call-flow';
import { cliOutput } from '../../testkit/processes';
import { screenshot } from '../../testkit/screenshots';
import { twoPeopleOnTestnet } from '../../testkit/two-people';

// Settings → Privacy reaches the node: a pinned relay shows up in `copybara-host status` as
// pinned, next to the testnet's relay found on the DHT; a line that is not a relay key is
// refused in words and nothing is saved.

const people = twoPeopleOnTestnet('e2e-privacy');
let alice: Side;
beforeAll(() => {
  ({ alice } = people);
});

async function status(side: Side): Promise<NodeStatus> {
  const { stdout } = await cliOutput(['status', '--profile', side.profile]);
  return JSON.parse(stdout) as NodeStatus;
}

describe('Settings → Privacy', () => {
  it('refuses a line that is not a relay key, then pins a relay the node uses first', async () => {
    const pinned = encodeNodeId(Buffer.alloc(32, 0x5a));
    const options = await alice.person.context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    const relays = options.getByLabel('Pinned relays');
    await relays.fill(`${pinned}\nnot-a-relay`);
    await options.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => options.getByRole('alert').allTextContents(), { timeout: 5000 })
      .toContain('Line 2: that is not a relay key (52 characters, as `copybara-host relay` prints it).');

    await relays.fill(pinned);
    await options.getByLabel('Allow direct connections with contacts').check();
    await options.getByRole('button', { name: 'Save' }).click();
    await options.getByText('Saved').first().waitFor({ timeout: 10_000 });
    await screenshot(options.locator('section', { has: options.getByRole('heading', { name: 'Privacy' }) }), 'options-privacy');
    await screenshot(options, 'options');

    // The testnet's relay may still be being looked up (the node looks again within seconds).
    const s = await until(
      'the pinned relay and a found one in the node status',
      20_000,
      () => status(alice),
      (s) => (s.privacy?.relays.some((r) => r.key === pinned && r.pinned) ?? false) && (s.privacy?.relays.some((r) => !r.pinned) ?? false),
    );
    expect(s.privacy?.private).toBe(true);
    // Pinned first; the testnet's relay, found on the DHT, after it.
    expect(s.privacy?.relays[0]).toMatchObject({ key: pinned, pinned: true });
    expect(s.privacy?.relays.some((r) => !r.pinned)).toBe(true);

    await relays.fill('');
    await options.getByRole('button', { name: 'Save' }).click();
    await until(
      'the relay no longer pinned',
      15_000,
      () => status(alice),
      (s) => !(s.privacy?.relays.some((r) => r.pinned) ?? true),
    );
    await options.close();
  });
});
