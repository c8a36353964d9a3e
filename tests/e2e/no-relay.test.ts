import { beforeAll, describe, expect, it } from 'vitest';
import { openPopup } from '../../testkit/browser';
import { statusText, until } from '../../testkit/call-checks';
import { type Side, dial } from '../../testkit/call-flow';
import { twoPeopleOnTestnet } from '../../testkit/two-people';

// Private mode with no relay anywhere: the popup says calls cannot connect, and a call fails in
// words that say why and what to do, within the dial budget, never by connecting directly.

const people = twoPeopleOnTestnet('e2e-norelay', { relays: 0 });
let alice: Side;
let bob: Side;
beforeAll(() => {
  ({ alice, bob } = people);
});

describe('no relay to be found', () => {
  it('the popup warns, and a call fails saying no relay could be reached', async () => {
    const popup = await openPopup(alice.person);
    await until(
      'the network status',
      20_000,
      async () => (await popup.getByLabel('Network status').textContent())?.trim() ?? '',
      (t) => /no relay known/.test(t),
    );
    await popup.close();

    const { tab, popup: dialPopup } = await dial(alice, bob.nodeId);
    await dialPopup.close();
    const text = await until(
      'Alice is told why the call failed',
      30_000,
      () => statusText(tab),
      (t) => /no relay could be reached/i.test(t),
    );
    expect(text).toMatch(/cannot connect without showing your address/);
    expect(bob.person.context.pages().some((p) => p.url().includes('/call.html'))).toBe(false);
  });
});
