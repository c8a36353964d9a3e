import type { Chain, ChainEndpoints } from './types';

// Where AZERO.ID lives. The chain is winding down, so every one of these is an
// overridable default, never a hard-wired assumption.

// TLD as typed -> chain. `.a0` is mainnet's alias of `.azero` (same registry).
export const TLD_CHAIN: Readonly<Record<string, Chain>> = { azero: 'azero', a0: 'azero', tzero: 'tzero' };

// The TLD the chain's registry is known by, used for cache keys so `bob.a0` and
// `bob.azero` share one entry.
export const CANONICAL_TLD: Readonly<Record<Chain, string>> = { azero: 'azero', tzero: 'tzero' };

export const DEFAULT_ENDPOINTS: Readonly<ChainEndpoints> = Object.freeze({
  azero: ['wss://ws.azero.dev'],
  tzero: ['wss://ws.test.azero.dev'],
});

// The hash of each chain's block 0: what makes an endpoint that chain and not another one
// (a test network, a fork, or a node run by whoever wants to answer our lookups). Endpoints
// are configurable, so the chain they serve is checked on every connection against these.
export const GENESIS_HASH: Readonly<Record<Chain, `0x${string}`>> = Object.freeze({
  azero: '0x70255b4d28de0fc4e1a193d7e175ad1ccef431598211c55538f1018651a0344e',
  tzero: '0x05d5279c52c484cc80396535a316add7d47b1c5b9e0398dd1f584149341460c5',
});

export const CHAIN_TITLE: Readonly<Record<Chain, string>> = { azero: 'Aleph Zero mainnet', tzero: 'Aleph Zero testnet' };

export const DEFAULT_REGISTRY: Readonly<Record<Chain, string>> = {
  azero: '5CTQBfBC9SfdrCDBJdfLiyW2pg9z5W6C6Es8sK313BLnFgDf',
  tzero: '5FsB91tXSEuMj6akzdPczAtmBaVKToqHmtAwSUzXh49AYzaD',
};

export const DEFAULT_ROUTER: Readonly<Record<Chain, string>> = {
  azero: '5FfRtDtpS3Vcr7BTChjPiQNrcAKu3VLv4E1NGF6ng6j3ZopJ',
  tzero: '5HXjj3xhtRMqRYCRaXTDcVPz3Mez2XBruyujw6UEkvn8PCiA',
};

// A registry given by address, or found at run time by asking a router `get_registry(tld)`.
export type RegistryChoice = string | { router: string };
