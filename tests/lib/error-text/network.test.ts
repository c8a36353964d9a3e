import { describe, expect, it } from 'vitest';
import { NETWORK_OFFLINE_TEXT, networkText } from '../../../lib/error-text';

describe('networkText', () => {
  it('names each state in words', () => {
    expect(networkText({ kind: 'connecting' })).toEqual({ text: 'Connecting to the network…', problem: false });
    expect(networkText({ kind: 'offline' })).toEqual({ text: NETWORK_OFFLINE_TEXT, problem: true });
    expect(NETWORK_OFFLINE_TEXT).toMatch(/^Not connected: .*internet connection or firewall\.$/);
    expect(networkText({ kind: 'online', relays: null })).toEqual({ text: 'Connected', problem: false });
  });

  it('counts the relays private mode knows, and warns when it knows none', () => {
    expect(networkText({ kind: 'online', relays: 2 })).toEqual({ text: 'Connected · 2 relays known', problem: false });
    expect(networkText({ kind: 'online', relays: 1 }).text).toBe('Connected · 1 relay known');
    expect(networkText({ kind: 'online', relays: 0 })).toMatchObject({ problem: true });
    expect(networkText({ kind: 'online', relays: 0 }).text).toMatch(/no relay known/);
  });
});
