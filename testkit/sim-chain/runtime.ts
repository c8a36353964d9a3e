import { Metadata, TypeRegistry } from '@polkadot/types';
import metadataHex, { rpc as rpcList, version as runtimeVersion } from '@polkadot/types-support/metadata/static-substrate-contracts-node';
import { compactAddLength, hexToU8a, u8aToHex } from '@polkadot/util';

// SIMULATED chain: the static facts a real substrate-contracts-node would report, taken
// from the metadata polkadot.js ships for that node (@polkadot/types-support). Nothing here
// is Aleph Zero's own runtime; it is the closest honest stand-in that runs offline.

export const registry = new TypeRegistry();
export const metadata = new Metadata(registry, metadataHex);
registry.setMetadata(metadata);

export const METADATA_HEX: string = metadataHex;
export const RUNTIME_VERSION = runtimeVersion;
export const RPC_METHODS: string[] = [...rpcList.methods];
export const CHAIN_NAME = 'Copybara simulated contracts chain';
// Aleph Zero uses the generic SS58 prefix 42 (addresses start with 5).
export const PROPERTIES = { ss58Format: 42, tokenDecimals: [12], tokenSymbol: ['AZERO'] };

// Metadata runtime API (v2): the versions this node can describe, and the blob itself.
export const METADATA_VERSIONS_HEX = registry.createType('Vec<u32>', [metadata.version]).toHex();
export const METADATA_AT_VERSION_HEX = u8aToHex(new Uint8Array([1, ...compactAddLength(hexToU8a(metadataHex))]));

// Index of the Contracts pallet and of one of its errors, for DispatchError::Module answers.
export function contractsModuleError(name: string): { index: number; error: string } {
  const pallet = metadata.asLatest.pallets.find((p) => p.name.toString() === 'Contracts');
  if (!pallet || pallet.errors.isNone) throw new Error('the metadata has no Contracts pallet errors');
  const variants = registry.lookup.getSiType(pallet.errors.unwrap().type).def.asVariant.variants;
  const variant = variants.find((v) => v.name.toString() === name);
  if (!variant) throw new Error(`no Contracts error ${name}`);
  const error = new Uint8Array(4);
  error[0] = variant.index.toNumber();
  return { index: pallet.index.toNumber(), error: u8aToHex(error) };
}
