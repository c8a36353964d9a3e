import { describe, expect, it } from 'vitest';
import { staexStatusText } from '../../../lib/ext/networks';
import type { NetworkInfo, NodeNetworks } from '../../../lib/protocol/native';

const ID = 'y'.repeat(51) + 'g';
const hyperdht: NetworkInfo = { name: 'hyperdht', available: true, id: ID, address: null, reason: null, detail: null, fix: null };
const withStaex = (staex: Partial<NetworkInfo>): NodeNetworks => ({
  prefer: 'hyperdht',
  list: [hyperdht, { name: 'staex', available: false, id: null, address: null, reason: null, detail: null, fix: null, ...staex }],
});

describe('staexStatusText', () => {
  it('shows the Staex node id when mcc-public answered', () => {
    expect(staexStatusText(withStaex({ available: true, id: ID, address: '10.0.0.2' }), false)).toEqual({
      available: true,
      text: `Staex network: node ${ID}`,
    });
  });

  it('says why Staex is unavailable and how to fix it', () => {
    const s = staexStatusText(
      withStaex({ reason: 'not-installed', detail: '`mcc id` was not found.', fix: 'Install mcc-public from Staex.' }),
      false,
    );
    expect(s).toEqual({
      available: false,
      text: 'Staex network unavailable: mcc-public is not installed. `mcc id` was not found. Install mcc-public from Staex.',
    });
    expect(staexStatusText(withStaex({ reason: 'not-running' }), false).text).toBe('Staex network unavailable: mcc-public is not running.');
    expect(staexStatusText(withStaex({ reason: 'no-permission' }), false).text).toMatch(/may not use mcc-public/);
  });

  it('says what it waits for, and when the node cannot be asked', () => {
    expect(staexStatusText(null, true).text).toMatch(/^Asking the Copybara node/);
    expect(staexStatusText(null, false).text).toMatch(/not running/);
    expect(staexStatusText({ prefer: 'hyperdht', list: [hyperdht] }, false).text).toMatch(/update it/);
  });
});
