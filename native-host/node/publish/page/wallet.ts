import { web3Accounts, web3Enable, web3FromAddress } from '@polkadot/extension-dapp';
import type { InjectedAccountWithMeta } from '@polkadot/extension-inject/types';
import type { Signer } from '@polkadot/types/types';

// The user's wallet (Polkadot.js, SubWallet, Talisman, …) through @polkadot/extension-dapp.
// Wallets inject themselves into http(s) pages only, which is why this page exists at all.

export interface Account {
  address: string;
  // The name the user gave it in the wallet, if any.
  label: string | null;
  // Which wallet holds it (polkadot-js, subwallet-js, talisman, …).
  source: string;
}

export type WalletResult =
  { kind: 'none' } | { kind: 'no-accounts'; wallets: string[] } | { kind: 'accounts'; wallets: string[]; accounts: Account[] };

export const APP_NAME = 'Copybara';

export async function findAccounts(): Promise<WalletResult> {
  const extensions = await web3Enable(APP_NAME);
  if (extensions.length === 0) return { kind: 'none' };
  const wallets = extensions.map((e) => e.name);
  const found: InjectedAccountWithMeta[] = await web3Accounts();
  // Ethereum-style accounts cannot sign for an ink! contract on Aleph Zero.
  const accounts = found
    .filter((a) => a.type === undefined || a.type === 'sr25519' || a.type === 'ed25519' || a.type === 'ecdsa')
    .map((a) => ({ address: a.address, label: a.meta.name ?? null, source: a.meta.source }));
  return accounts.length === 0 ? { kind: 'no-accounts', wallets } : { kind: 'accounts', wallets, accounts };
}

export async function signerFor(address: string): Promise<Signer> {
  const injected = await web3FromAddress(address);
  return injected.signer;
}
