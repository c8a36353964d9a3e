import type { NetworkState } from '../protocol/native';

// The node's network state in words, for the popup (next to the node id). `problem`: the
// words say something is wrong, and the popup shows them as a warning.

interface NetworkText {
  text: string;
  problem: boolean;
}

export const NETWORK_OFFLINE_TEXT = 'Not connected: no network node answered. Check your internet connection or firewall.';

export function networkText(state: NetworkState): NetworkText {
  switch (state.kind) {
    case 'connecting':
      return { text: 'Connecting to the network…', problem: false };
    case 'offline':
      return { text: NETWORK_OFFLINE_TEXT, problem: true };
    case 'online':
      if (state.relays === null) return { text: 'Connected', problem: false };
      // Private mode connects only through a relay: none known means no call can connect yet.
      if (state.relays === 0) return { text: 'Connected · no relay known yet, so calls cannot connect in private mode', problem: true };
      return { text: `Connected · ${state.relays} ${state.relays === 1 ? 'relay' : 'relays'} known`, problem: false };
  }
}
