import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type ConnectCause, classifyConnectFailure } from '../../../../native-host/node/network/connect-failure';

// The errors are made by the installed packages' own constructors, so a code renamed upstream
// fails here instead of silently classifying as 'unknown'.
const require = createRequire(import.meta.url);
type Make = Record<string, (msg?: string) => Error & { code: string }>;
const dhtErrors = require('hyperdht/lib/errors.js') as Make;
const relayErrors = require('blind-relay/lib/errors.js') as Make;
const rpcErrors = require('dht-rpc/lib/errors.js') as Make;

const direct = { relayed: false };
const relayed = { relayed: true };

describe('classifyConnectFailure', () => {
  const cases: [Make, string, ConnectCause][] = [
    [dhtErrors, 'PEER_NOT_FOUND', 'offline'],
    [dhtErrors, 'PEER_CONNECTION_FAILED', 'offline'],
    [dhtErrors, 'HOLEPUNCH_ABORTED', 'nat'],
    [dhtErrors, 'HOLEPUNCH_DOUBLE_RANDOMIZED_NATS', 'nat'],
    [dhtErrors, 'HOLEPUNCH_PROBE_TIMEOUT', 'nat'],
    [dhtErrors, 'CANNOT_HOLEPUNCH', 'nat'],
    [dhtErrors, 'REMOTE_NOT_HOLEPUNCHABLE', 'nat'],
    [dhtErrors, 'RELAY_ABORTED', 'relay'],
    [relayErrors, 'CHANNEL_CLOSED', 'relay'],
    [relayErrors, 'PAIRING_CANCELLED', 'relay'],
    [dhtErrors, 'SERVER_ERROR', 'refused'],
    [dhtErrors, 'SERVER_INCOMPATIBLE', 'refused'],
  ];
  it.each(cases.map(([make, code, cause]) => ({ make, code, cause })))('$code is $cause', ({ make, code, cause }) => {
    const err = make[code]!();
    expect(err.code).toBe(code);
    expect(classifyConnectFailure(err, direct)).toBe(cause);
    // Whether the connection was relayed changes only what a timeout means.
    expect(classifyConnectFailure(err, relayed)).toBe(cause);
  });

  it('blames a timeout on the relay when there was one, else on the peer', () => {
    for (const err of [dhtErrors.HANDSHAKE_UNFINISHED!(), rpcErrors.REQUEST_TIMEOUT!()]) {
      expect(classifyConnectFailure(err, relayed)).toBe('relay');
      expect(classifyConnectFailure(err, direct)).toBe('offline');
    }
  });

  it('says unknown for what it cannot read', () => {
    expect(classifyConnectFailure(new Error('no code'), direct)).toBe('unknown');
    expect(classifyConnectFailure(Object.assign(new Error('x'), { code: 'SOMETHING_NEW' }), direct)).toBe('unknown');
    expect(classifyConnectFailure(null, relayed)).toBe('unknown');
    expect(classifyConnectFailure({ code: 42 }, relayed)).toBe('unknown');
  });
});
