import type { HyperdhtOptions } from '../../native-host/node/network/hyperdht';
import { PathPolicy, type PeerRules } from '../../native-host/node/network/path-policy';
import { RelayChooser } from '../../native-host/node/network/relay-finder';

// The `privacy` option of a HyperdhtBackend in private mode with these pinned relays (none: only
// what discovery finds), as the node builds it; `rules` stand for what the browser's ring policy
// would say.
export function privateMode(
  pinned: Buffer[],
  rules: Partial<PeerRules> = {},
  linkAdmits: (nodeId: string) => boolean = () => false,
): NonNullable<HyperdhtOptions['privacy']> {
  const relays = new RelayChooser(pinned);
  const paths = new PathPolicy({ private: true, relay: () => relays.pick(), linkAdmits, acceptsOffer: (r) => relays.acceptsOffer(r) });
  paths.setRules({ blocked: new Set(), allowOnly: null, direct: new Set(), ...rules });
  return { paths, relays };
}
