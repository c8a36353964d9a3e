import { beforeAll, describe, expect, it } from 'vitest';
import { EXTENSION_ORIGIN, waitForCallTab } from '../../testkit/browser';
import { statusText, until } from '../../testkit/call-checks';
import { type Side, closeCallTabs, dial } from '../../testkit/call-flow';
import { twoPeopleOnTestnet } from '../../testkit/two-people';

// Block caller in real Chromium: Bob blocks Alice from her ringing call's tab; her next call
// is turned away by Bob's node (at the handshake) without his browser opening anything; unblocked in the
// settings, she rings again.

const people = twoPeopleOnTestnet();
let alice: Side;
let bob: Side;
beforeAll(() => {
  ({ alice, bob } = people);
});

const bobsCallTabs = () => bob.person.context.pages().filter((p) => p.url().startsWith(`${EXTENSION_ORIGIN}/call.html`)).length;

describe('Block caller', () => {
  it('asks first, declines the call, and the node turns the blocked key away before Bob’s browser sees it', async () => {
    const first = await dial(alice, bob.nodeId);
    await first.popup.close();
    const bobTab = await waitForCallTab(bob.person, 20_000);
    await until(
      'Bob sees the incoming call',
      20_000,
      () => statusText(bobTab),
      (t) => /incoming call/i.test(t),
    );

    await bobTab.getByRole('button', { name: 'Block caller' }).click();
    await bobTab.getByText(/Their calls will be turned away without ringing, and this call ends now/).waitFor({ timeout: 5000 });
    await bobTab.getByRole('button', { name: 'Yes, block this caller' }).click();
    await until(
      'Bob sees the caller blocked',
      10_000,
      async () => (await bobTab.textContent('body')) ?? '',
      (t) => /Blocked\./.test(t),
    );
    await until(
      'Alice hears the decline',
      10_000,
      () => statusText(first.tab),
      (t) => /declined/i.test(t),
    );
    await closeCallTabs(alice, bob);

    const second = await dial(alice, bob.nodeId);
    await second.popup.close();
    // Bob's node refuses a blocked key at the overlay handshake, before any reply: to Alice it
    // looks offline, and she learns nothing else (not even that it is online).
    await until(
      'Alice is told Bob cannot be reached',
      30_000,
      () => statusText(second.tab),
      (t) => /not reachable/i.test(t),
    );
    // Long enough for any tab Bob's browser was going to open.
    await new Promise((r) => setTimeout(r, 2000));
    expect(bobsCallTabs()).toBe(0);
    await closeCallTabs(alice, bob);

    const options = await bob.person.context.newPage();
    await options.goto(`${EXTENSION_ORIGIN}/options.html`);
    await options.getByRole('button', { name: /^Unblock / }).click();
    await until(
      'the block list is empty',
      10_000,
      async () => (await options.textContent('body')) ?? '',
      (t) => /Nobody is blocked/.test(t),
    );
    await options.close();

    const third = await dial(alice, bob.nodeId);
    await third.popup.close();
    const ringing = await waitForCallTab(bob.person, 20_000);
    await until(
      'Bob’s browser rings again',
      20_000,
      () => statusText(ringing),
      (t) => /incoming call/i.test(t),
    );
  });
});
