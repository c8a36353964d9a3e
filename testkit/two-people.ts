import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Side, closeCallTabs, startSide, stopSide } from './call-flow';
import { expectNoLeftovers } from './leftovers';
import { type Proc, startTestnet, tempDir } from './processes';

export interface TwoPeople {
  alice: Side;
  bob: Side;
}

// Two people, each with their own Chromium profile, extension build, native host and node,
// on a HyperDHT testnet on 127.0.0.1, for one end-to-end test file: started before its
// tests, their call tabs closed after each test (a failed test must not leave its call
// running into the next; closing the tab hangs up), everything stopped and checked gone
// after the last. Only for tests: it registers vitest hooks.
// `relays`: blind relays on the testnet (default 1; 0 leaves private mode without any).
export function twoPeopleOnTestnet(tag = 'e2e', opts: { relays?: number } = {}): TwoPeople {
  const people = {} as TwoPeople;
  let testnet: Proc | undefined;
  let dir: { path: string; remove(): Promise<void> } | undefined;
  const echo = process.env.COPYBARA_TEST_LOGS === '1';

  beforeAll(async () => {
    dir = await tempDir(tag);
    const net = await startTestnet(echo, { relays: opts.relays ?? 1 });
    testnet = net.proc;
    const root = dir.path;
    [people.alice, people.bob] = await Promise.all([
      startSide(root, 'alice', net.bootstrap, echo),
      startSide(root, 'bob', net.bootstrap, echo),
    ]);
  });

  afterEach(async () => {
    await closeCallTabs(people.alice, people.bob);
  });

  afterAll(async () => {
    await Promise.all([stopSide(people.alice), stopSide(people.bob)]);
    await testnet?.stop();
    if (dir) {
      await expectNoLeftovers(dir.path);
      await dir.remove();
    }
  });

  return people;
}
