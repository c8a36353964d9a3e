import type { CallInfo } from '../../lib/protocol/native';

// Shared test data for the extension's unit tests.

export const ALICE = '0123456789abcdefghjkmnpqrstvwxyz0123456789abcdefghj0';
export const BOB = 'zyxwvtsrqpnmkjhgfedcba9876543210zyxwvtsrqpnmkjhgfedg';
export const CALL_ID = '0123456789abcdef0123456789abcdef';

export function callInfo(over: Partial<CallInfo> = {}): CallInfo {
  return {
    callId: CALL_ID,
    direction: 'outgoing',
    peer: BOB,
    peerName: null,
    state: 'dialing',
    reason: null,
    detail: null,
    safetyCode: null,
    createdAt: 1_700_000_000_000,
    answeredAt: null,
    invitation: null,
    viaLink: false,
    endedAt: null,
    ...over,
  };
}
