import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import type { Signer } from '@polkadot/api/types';
import { TypeRegistry } from '@polkadot/types';
import type { Registry, SignerPayloadJSON, SignerPayloadRaw, SignerResult } from '@polkadot/types/types';
import { u8aToHex, u8aWrapBytes } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

// A real Signer for Node tests, doing what a wallet extension's signer does with the
// payload a dapp hands it: rebuild the ExtrinsicPayload from its JSON form in a registry of
// its own (told the signed extensions the payload names), sign its bytes with the key, and
// answer the type-prefixed signature. Nothing is faked: the chain checks the signature.

export type SignerBehaviour =
  | { kind: 'sign' }
  // What the polkadot.js extension answers when the user closes the popup.
  | { kind: 'reject'; message?: string };

export class KeyringSigner implements Signer {
  readonly calls = { signPayload: 0, signRaw: 0 };
  readonly payloads: SignerPayloadJSON[] = [];
  #id = 0;

  constructor(
    readonly pair: KeyringPair,
    private readonly behaviour: SignerBehaviour = { kind: 'sign' },
    // A wallet builds its own registry; tests may pass the api's to sign with its metadata.
    private readonly registry?: Registry,
  ) {}

  get address(): string {
    return this.pair.address;
  }

  get called(): number {
    return this.calls.signPayload + this.calls.signRaw;
  }

  async signPayload(payload: SignerPayloadJSON): Promise<SignerResult> {
    this.calls.signPayload++;
    this.payloads.push(payload);
    this.#maybeReject();
    const registry = this.registry ?? new TypeRegistry();
    if (!this.registry) registry.setSignedExtensions(payload.signedExtensions);
    const raw = registry.createType('ExtrinsicPayload', payload, { version: payload.version });
    const { signature } = raw.sign(this.pair);
    return { id: ++this.#id, signature };
  }

  async signRaw(raw: SignerPayloadRaw): Promise<SignerResult> {
    this.calls.signRaw++;
    this.#maybeReject();
    // Extensions wrap raw bytes in <Bytes>…</Bytes> so a raw signature can never double as
    // a transaction signature.
    return { id: ++this.#id, signature: u8aToHex(this.pair.sign(u8aWrapBytes(raw.data), { withType: true })) };
  }

  #maybeReject(): void {
    if (this.behaviour.kind === 'reject') throw new Error(this.behaviour.message ?? 'Cancelled');
  }
}

// A key from a dev seed ('//Alice', '//Bob'…) or a mnemonic; sr25519 by default, as wallets use.
export async function keyringPair(seed: string, type: 'sr25519' | 'ed25519' = 'sr25519'): Promise<KeyringPair> {
  await cryptoWaitReady();
  return new Keyring({ type, ss58Format: 42 }).addFromUri(seed);
}

export async function keyringSigner(
  seed: string,
  opts: { type?: 'sr25519' | 'ed25519'; behaviour?: SignerBehaviour; registry?: Registry } = {},
): Promise<KeyringSigner> {
  return new KeyringSigner(await keyringPair(seed, opts.type), opts.behaviour, opts.registry);
}
