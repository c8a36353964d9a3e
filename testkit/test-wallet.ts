import type { BrowserContext } from 'playwright-core';

// A TEST WALLET injected into web pages the way Polkadot.js, SubWallet and Talisman inject
// theirs: `window.injectedWeb3[name] = { enable, version }`, before any page script runs.
// The page side only forwards; accounts and signatures come from the test process, where a
// real keyring signs (so the simulated chain verifies a real signature). It answers pages
// on 127.0.0.1 only, like a wallet the user allowed for that site.

export interface TestWalletAccount {
  address: string; // SS58
  name: string;
  type: 'sr25519' | 'ed25519';
}

// What a wallet's signer gets from @polkadot/api (SignerPayloadJSON) and gives back.
export type SignPayload = (payload: Record<string, unknown>) => Promise<{ signature: `0x${string}` }>;

export interface TestWallet {
  // Payloads the page asked to sign, in order.
  readonly requests: Array<Record<string, unknown>>;
  // When set, the next signature request is refused as a user clicking "Cancel" would.
  refuseNext: boolean;
}

export const TEST_WALLET_NAME = 'copybara-test-wallet';

export async function installTestWallet(context: BrowserContext, accounts: TestWalletAccount[], sign: SignPayload): Promise<TestWallet> {
  const wallet: TestWallet = { requests: [], refuseNext: false };
  await context.exposeBinding('__copybaraTestWallet', async ({ page }, op: string, arg: unknown) => {
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(page.url())) throw new Error('the test wallet answers 127.0.0.1 pages only');
    if (op === 'accounts') return accounts;
    if (op === 'sign') {
      const payload = arg as Record<string, unknown>;
      wallet.requests.push(payload);
      if (wallet.refuseNext) {
        wallet.refuseNext = false;
        throw new Error('Cancelled');
      }
      return sign(payload);
    }
    throw new Error(`unknown test wallet operation ${op}`);
  });
  await context.addInitScript((walletName: string) => {
    type Call = (op: string, arg?: unknown) => Promise<unknown>;
    const w = window as unknown as { __copybaraTestWallet?: Call; injectedWeb3?: Record<string, unknown> };
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(location.href)) return;
    const call: Call = (op, arg) => w.__copybaraTestWallet!(op, arg);
    let nextId = 1;
    w.injectedWeb3 = { ...(w.injectedWeb3 ?? {}) };
    w.injectedWeb3[walletName] = {
      version: '0.0.0-test',
      enable: async () => ({
        accounts: {
          get: () => call('accounts'),
          subscribe: (cb: (a: unknown) => void) => {
            void call('accounts').then(cb);
            return () => undefined;
          },
        },
        signer: {
          signPayload: async (payload: unknown) => {
            const { signature } = (await call('sign', payload)) as { signature: string };
            return { id: nextId++, signature };
          },
        },
      }),
    };
  }, TEST_WALLET_NAME);
  return wallet;
}
