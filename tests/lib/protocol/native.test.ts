import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopybaraError } from '../../../lib/errors';
import { type CallInfo, decodeCallInfo, decodeNodeFrame, decodeNodeStatus, decodeRequest } from '../../../lib/protocol/native';

const callId = '0f'.repeat(16);
const call: CallInfo = {
  callId,
  direction: 'incoming',
  peer: 'a'.repeat(51) + '0',
  peerName: null,
  state: 'ended',
  reason: 'declined',
  detail: null,
  safetyCode: '123 456 789 012',
  createdAt: 1,
  answeredAt: null,
  endedAt: 2,
  invitation: null,
  viaLink: false,
};

describe('native messages', () => {
  it('decodes each request type', () => {
    expect(decodeRequest({ v: 1, id: 1, type: 'status' })).toEqual({ v: 1, id: 1, type: 'status' });
    expect(decodeRequest({ v: 1, id: 2, type: 'call', target: 'x' })).toEqual({ v: 1, id: 2, type: 'call', target: 'x' });
    for (const type of ['answer', 'decline', 'hangup'] as const) {
      expect(decodeRequest({ v: 1, id: 3, type, callId })).toEqual({ v: 1, id: 3, type, callId });
    }
    for (const browser of ['chromium', 'firefox'] as const) {
      expect(decodeRequest({ v: 1, id: 3, type: 'turn', callId, browser })).toEqual({ v: 1, id: 3, type: 'turn', callId, browser });
    }
    const signal = { kind: 'answer', sdp: 'v=0' };
    expect(decodeRequest({ v: 1, id: 4, type: 'signal', callId, signal })).toEqual({ v: 1, id: 4, type: 'signal', callId, signal });
  });

  it('decodes ring-policy strictly: lists of node ids, allowOnly null or a list', () => {
    const id = 'a'.repeat(51) + '0';
    expect(decodeRequest({ v: 1, id: 5, type: 'ring-policy', blocked: [id], allowOnly: null })).toEqual({
      v: 1,
      id: 5,
      type: 'ring-policy',
      blocked: [id],
      allowOnly: null,
    });
    expect(decodeRequest({ v: 1, id: 5, type: 'ring-policy', blocked: [], allowOnly: [id] })).toMatchObject({ allowOnly: [id] });
    const bad = (o: Record<string, unknown>) => () =>
      decodeRequest({ v: 1, id: 5, type: 'ring-policy', blocked: [], allowOnly: null, ...o });
    expect(bad({ blocked: undefined })).toThrow(/"blocked" must be a list of node ids/);
    expect(bad({ blocked: [id.toUpperCase()] })).toThrow(/blocked\[0\] is not a node id/);
    expect(bad({ allowOnly: [id, 'x'] })).toThrow(/allowOnly\[1\] is not a node id/);
    expect(bad({ allowOnly: 'everyone' })).toThrow(/"allowOnly" must be a list/);
    expect(bad({ blocked: Array<string>(1001).fill(id) })).toThrow(/more than 1000 node ids/);
  });

  it('decodes a site request with the network the person prefers, and nothing else there', () => {
    expect(decodeRequest({ v: 1, id: 6, type: 'site', network: 'staex' })).toEqual({ v: 1, id: 6, type: 'site', network: 'staex' });
    expect(decodeRequest({ v: 1, id: 6, type: 'site', network: 'hyperdht', port: null })).toEqual({
      v: 1,
      id: 6,
      type: 'site',
      port: null,
      network: 'hyperdht',
    });
    for (const network of ['', 'Staex', 'tor', 1, ['staex']]) {
      expect(() => decodeRequest({ v: 1, id: 6, type: 'site', network })).toThrow(/"network" must be one of hyperdht, staex/);
    }
  });

  it('a turn request must say which browser asks: the node never guesses', () => {
    const turn = (o: Record<string, unknown>) => () => decodeRequest({ v: 1, id: 3, type: 'turn', callId, ...o });
    for (const browser of [undefined, null, '', 'Firefox', 'chrome', 'safari', 1, ['firefox']]) {
      expect(turn({ browser })).toThrow(
        expect.objectContaining({ code: 'BAD_MESSAGE', message: expect.stringMatching(/"browser" must be one of chromium, firefox/) }),
      );
    }
  });

  it('rejects requests a browser must not send', () => {
    expect(() => decodeRequest({ v: 1, id: 1, type: 'shutdown' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
    expect(() => decodeRequest({ v: 1, type: 'status' })).toThrow(/"id"/);
    expect(() => decodeRequest({ v: 0, id: 1, type: 'status' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_VERSION' }));
    expect(() => decodeRequest({ v: 1, id: 1, type: 'answer', callId: '../etc' })).toThrow(/malformed/);
  });

  it('decodes node frames: replies and events', () => {
    expect(decodeNodeFrame({ v: 1, id: 9, ok: true, result: { a: 1 } })).toEqual({ v: 1, id: 9, ok: true, result: { a: 1 } });
    expect(decodeNodeFrame({ v: 1, id: 9, ok: false, error: { code: 'BUSY', message: 'already in a call' } })).toMatchObject({
      ok: false,
      error: { code: 'BUSY' },
    });
    expect(decodeNodeFrame({ v: 1, event: 'call', call })).toEqual({ v: 1, event: 'call', call });
    expect(() => decodeNodeFrame({ v: 1, event: 'mystery' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_TYPE' }));
    expect(() => decodeCallInfo({ ...call, state: 'dancing' })).toThrow(/"state" must be one of/);
    expect(() => decodeCallInfo({ ...call, peer: 'not-an-id' })).toThrow(/"peer" is malformed/);
  });

  it("keeps a call's route and round trip when present, and refuses a route that names no relay key", () => {
    const relay = 'y51g3gfgpp0rprj3nkysfn83nk6vqz6mkvrs7e4mg4hmtc2fyayg';
    expect(decodeCallInfo({ ...call, route: { relay }, rttMs: 12 })).toEqual({ ...call, route: { relay }, rttMs: 12 });
    expect(decodeCallInfo({ ...call, route: { relay: null } })).toEqual({ ...call, route: { relay: null } });
    expect(() => decodeCallInfo({ ...call, route: { relay: '10.0.0.1:4000' } })).toThrow(/"relay" is malformed/);
    expect(() => decodeCallInfo({ ...call, route: 'direct' })).toThrow(/route is not an object/);
    expect(() => decodeCallInfo({ ...call, rttMs: -1 })).toThrow(/"rttMs" must be a whole number/);
  });

  it("carries a callee's Staex id and the network preferred, and a route's network, strictly", () => {
    const id = 'y51g3gfgpp0rprj3nkysfn83nk6vqz6mkvrs7e4mg4hmtc2fyayg';
    const base = { v: 1, id: 2, type: 'call', target: id };
    expect(decodeRequest({ ...base, staexId: id, network: 'staex' })).toEqual({ ...base, staexId: id, network: 'staex' });
    expect(() => decodeRequest({ ...base, staexId: '10.0.0.1' })).toThrow(/"staexId" is malformed/);
    expect(() => decodeRequest({ ...base, network: 'tor' })).toThrow(/"network" must be one of/);
    expect(decodeCallInfo({ ...call, route: { relay: null, network: 'staex' } })).toMatchObject({
      route: { relay: null, network: 'staex' },
    });
    expect(() => decodeCallInfo({ ...call, route: { relay: null, network: 'carrier-pigeon' } })).toThrow(/"network" must be one of/);
  });

  it("decodes the status's networks: each one's id, or why it is down", () => {
    const id = 'y51g3gfgpp0rprj3nkysfn83nk6vqz6mkvrs7e4mg4hmtc2fyayg';
    const status = {
      nodeId: id,
      version: '0.1.0',
      backend: 'hyperdht',
      turnPort: 1,
      dhtPort: null,
      calls: [],
      network: { kind: 'connecting' },
    };
    const networks = {
      prefer: 'hyperdht',
      list: [
        { name: 'hyperdht', available: true, id, address: null, reason: null, detail: null, fix: null },
        { name: 'staex', available: false, id: null, address: null, reason: 'not-running', detail: '`mcc id` …', fix: 'Start it.' },
      ],
    };
    expect(decodeNodeStatus({ ...status, networks }).networks).toEqual(networks);
    expect(decodeNodeStatus(status)).not.toHaveProperty('networks');
    const bad = (n: object) => () =>
      decodeNodeStatus({ ...status, networks: { prefer: 'hyperdht', list: [{ ...networks.list[1], ...n }] } });
    expect(bad({ reason: 'on-holiday' })).toThrow(/"reason" must be one of/);
    expect(bad({ id: 'x' })).toThrow(/"id" is malformed/);
    expect(() => decodeNodeStatus({ ...status, networks: { prefer: 'hyperdht', list: [...networks.list, ...networks.list] } })).toThrow(
      /at most 2 networks/,
    );
    expect(decodeNodeFrame({ v: 1, event: 'network', network: { kind: 'offline' }, networks })).toMatchObject({ networks });
  });

  it('takes the direct contacts and pinned relays of a ring policy as node ids only', () => {
    const id = 'y51g3gfgpp0rprj3nkysfn83nk6vqz6mkvrs7e4mg4hmtc2fyayg';
    const base = { v: 1, id: 1, type: 'ring-policy', blocked: [], allowOnly: null };
    expect(decodeRequest({ ...base, direct: [id], relays: [id] })).toMatchObject({ direct: [id], relays: [id] });
    expect(decodeRequest(base)).not.toHaveProperty('direct');
    expect(() => decodeRequest({ ...base, relays: ['relay.example:49737'] })).toThrow(/relays\[0\] is not a node id/);
  });

  it('fuzz: any JSON is decoded or refused with a CopybaraError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        for (const decode of [decodeRequest, decodeNodeFrame, decodeCallInfo]) {
          try {
            decode(value);
          } catch (err) {
            expect(err).toBeInstanceOf(CopybaraError);
          }
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
