import type { NetworkDownReason, NodeNetworks } from '../protocol/native';

// What the options page says about the Staex network: its node id there, or why it cannot be
// chosen and what to do. Pure, from the node's status.

const DOWN: Record<NetworkDownReason, string> = {
  'not-installed': 'mcc-public is not installed',
  'not-running': 'mcc-public is not running',
  'no-permission': 'Copybara may not use mcc-public',
  failed: 'mcc-public did not answer as expected',
  disabled: 'the node was started without Staex',
  starting: 'the node is still asking mcc-public',
};

// null `networks`: no status yet; `waiting`: the question is still out.
export function staexStatusText(networks: NodeNetworks | null, waiting: boolean): { available: boolean; text: string } {
  if (networks === null) {
    return {
      available: false,
      text: waiting
        ? 'Asking the Copybara node which networks it can use…'
        : 'The Copybara node is not running, so it cannot tell whether Staex is there.',
    };
  }
  const staex = networks.list.find((n) => n.name === 'staex');
  if (!staex) return { available: false, text: 'This Copybara node does not know the Staex network; update it.' };
  if (staex.available && staex.id) return { available: true, text: `Staex network: node ${staex.id}` };
  const why = DOWN[staex.reason ?? 'failed'];
  const parts = [`Staex network unavailable: ${why}.`, staex.detail, staex.fix].filter((p): p is string => !!p);
  return { available: false, text: parts.join(' ') };
}
