import { describe, expect, it } from 'vitest';
import { RESULT_DECODERS, decodeNetworkState, decodeNodeFrame, decodeNodeStatus, decodeTurnInfo } from '../../../lib/protocol/native';
import { ALICE, BOB, callInfo } from '../../../testkit/ext/fixtures';

describe('decodeTurnInfo', () => {
  const turn = { urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1700000000:abcd', credential: 'c2VjcmV0' };

  it('accepts what the node sends', () => {
    expect(decodeTurnInfo(turn)).toEqual(turn);
  });

  it.each([
    [{ ...turn, urls: [] }, /1 to 8 TURN URLs/],
    [{ ...turn, urls: 'turn:127.0.0.1' }, /1 to 8 TURN URLs/],
    [{ ...turn, urls: ['stun:127.0.0.1:3478'] }, /urls\[0\] is not a TURN URL/],
    [{ ...turn, urls: ['https://example.com'] }, /not a TURN URL/],
    [{ ...turn, urls: ['turn:127.0.0.1 :3478'] }, /not a TURN URL/],
    [{ ...turn, username: 5 }, /"username" must be text/],
    [{ urls: turn.urls, username: 'u' }, /"credential" must be text/],
  ])('rejects %j', (value, message) => {
    expect(() => decodeTurnInfo(value)).toThrow(message);
  });
});

describe('decodeNodeStatus', () => {
  const status = {
    nodeId: ALICE,
    version: '0.1.0',
    backend: 'hyperdht',
    turnPort: 3478,
    dhtPort: null,
    calls: [callInfo()],
    network: { kind: 'online', relays: 2 },
  };

  it('accepts a status with calls', () => {
    expect(decodeNodeStatus(status)).toEqual(status);
  });

  it('rejects a bad node id, port or call', () => {
    expect(() => decodeNodeStatus({ ...status, nodeId: 'abc' })).toThrow(/"nodeId" is malformed/);
    expect(() => decodeNodeStatus({ ...status, turnPort: 70000 })).toThrow(/"turnPort"/);
    expect(() => decodeNodeStatus({ ...status, calls: [{}] })).toThrow(/"callId"/);
    expect(() => decodeNodeStatus({ ...status, calls: null })).toThrow(/"calls" must be a list/);
  });

  it('carries private mode: direct contacts counted, relays listed', () => {
    const privacy = { private: true, directContacts: 2, relays: [{ key: BOB, pinned: true, rttMs: 12, failures: 0 }] };
    expect(decodeNodeStatus({ ...status, privacy })).toEqual({ ...status, privacy });
    expect(() => decodeNodeStatus({ ...status, privacy: { ...privacy, directContacts: -1 } })).toThrow(/"directContacts"/);
    expect(() => decodeNodeStatus({ ...status, privacy: { ...privacy, directContacts: 1.5 } })).toThrow(/"directContacts"/);
    expect(() => decodeNodeStatus({ ...status, privacy: { private: true, relays: [] } })).toThrow(/"directContacts"/);
  });

  it('needs the network state', () => {
    const { network: _network, ...without } = status;
    expect(() => decodeNodeStatus(without)).toThrow(/network is not an object/);
    expect(() => decodeNodeStatus({ ...status, network: { kind: 'great' } })).toThrow(/"kind" must be one of connecting, online, offline/);
  });
});

describe('decodeNetworkState', () => {
  it.each([
    { kind: 'connecting' },
    { kind: 'offline' },
    { kind: 'online', relays: null },
    { kind: 'online', relays: 0 },
    { kind: 'online', relays: 7 },
  ])('accepts %j', (state) => {
    expect(decodeNetworkState(state)).toEqual(state);
  });

  it('reads a missing relay count as "private mode off", and drops what other states do not carry', () => {
    expect(decodeNetworkState({ kind: 'online' })).toEqual({ kind: 'online', relays: null });
    expect(decodeNetworkState({ kind: 'offline', relays: 3, extra: 'x' })).toEqual({ kind: 'offline' });
  });

  it.each([
    [null, /network is not an object/],
    [{}, /"kind" must be one of/],
    [{ kind: 'online', relays: -1 }, /"relays" must be a whole number from 0 to 1000/],
    [{ kind: 'online', relays: 1.5 }, /"relays"/],
    [{ kind: 'online', relays: '2' }, /"relays"/],
  ])('rejects %j', (value, message) => {
    expect(() => decodeNetworkState(value)).toThrow(message);
  });

  it('arrives as a node event', () => {
    expect(decodeNodeFrame({ v: 1, event: 'network', network: { kind: 'offline' } })).toEqual({
      v: 1,
      event: 'network',
      network: { kind: 'offline' },
    });
    expect(() => decodeNodeFrame({ v: 1, event: 'network' })).toThrow(/network is not an object/);
  });
});

describe('RESULT_DECODERS', () => {
  it('has one decoder per request type', () => {
    expect(Object.keys(RESULT_DECODERS).sort()).toEqual([
      'answer',
      'call',
      'decline',
      'hangup',
      'link',
      'publish-open',
      'ring-policy',
      'signal',
      'site',
      'status',
      'turn',
      'wait-link',
    ]);
    const link = { url: 'https://copybara.network/call#AQID', payload: 'AQID', invitation: '0123456789abcdef', expiresAt: 1_790_000_000 };
    expect(RESULT_DECODERS.link(link)).toEqual(link);
    expect(() => RESULT_DECODERS.link({ ...link, url: 'javascript:alert(1)' })).toThrow(/"url" is malformed/);
    expect(RESULT_DECODERS['wait-link'](null)).toBeNull();
    expect(RESULT_DECODERS.signal(null)).toBeNull();
    expect(() => RESULT_DECODERS.signal({})).toThrow(/empty result/);
    expect(RESULT_DECODERS.hangup(callInfo({ state: 'ended', reason: 'hangup' })).state).toBe('ended');
  });
});
