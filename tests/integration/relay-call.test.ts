import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeNodeId } from '../../lib/node-id';
import type { RunningRelay } from '../../native-host/node/network/relay-server';
import { callState } from '../../testkit/node-socket';
import { CallMedia, PrivateNet, answeredCall } from '../../testkit/private-call';

// A whole call between two nodes in private mode (`node --relay KEY`): ring, answer, signalling
// and media datagrams all cross the blind relay, which carries their connection as one pair.

let net: PrivateNet;
let relay: RunningRelay;

beforeAll(async () => {
  net = await PrivateNet.start('relay-call');
  relay = await net.relay('relay');
});

afterAll(async () => {
  await net?.close();
});

describe('a call in private mode', () => {
  it('rings, is answered, and carries signalling and media through the relay', async () => {
    const [, sa] = await net.node('a', [relay]);
    const [b, sb] = await net.node('b', [relay]);
    expect(relay.counts().pairs).toBe(0);

    const callId = await answeredCall(sa, sb, b);
    expect(relay.counts().pairs).toBe(1);

    await sa.request({ type: 'signal', callId, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
    const sig = await sb.waitFor('offer at B', (e) => e.event === 'signal' && e.callId === callId);
    expect(sig.event === 'signal' && sig.signal).toEqual({ kind: 'offer', sdp: 'v=0\r\n' });

    const media = await CallMedia.open(sa, sb, callId);
    try {
      expect(await media.flows('a', 5000)).toMatch(/^a-/);
    } finally {
      await media.close();
    }
    await sa.request({ type: 'hangup', callId });
    await sb.waitFor('ended at B', callState(callId, 'ended'));
  });
});

// HyperDHT pairs a connection through the relay the answering node names, whatever relay (or
// none) the caller asked for: the caller's call must report that path, not the one it asked for.
describe("the caller's view of the path", () => {
  it('names the relay the callee chose, when the caller asked for another', async () => {
    const other = await net.relay('relay-callee');
    const [, sc] = await net.node('c', [relay]);
    const [d, sd] = await net.node('d', [other]);
    const pairs = [relay.counts().pairs, other.counts().pairs];
    const callId = await answeredCall(sc, sd, d);
    expect([relay.counts().pairs - pairs[0]!, other.counts().pairs - pairs[1]!]).toEqual([0, 1]);
    const status = await sc.request({ type: 'status' });
    expect(status.calls.find((c) => c.callId === callId)?.route).toEqual({ relay: encodeNodeId(other.publicKey) });
    await sc.request({ type: 'hangup', callId });
    await sd.waitFor('ended at D', callState(callId, 'ended'));
  });

  it('says relayed when the caller would go direct but the callee answers only through its relay', async () => {
    const [, se] = await net.node('e', [relay]);
    const [f, sf] = await net.node('f', [relay]);
    // E allows F directly; F does not allow E.
    await se.request({ type: 'ring-policy', blocked: [], allowOnly: null, direct: [f.identity!.nodeId], relays: [] });
    const before = relay.counts().pairs;
    const callId = await answeredCall(se, sf, f);
    expect(relay.counts().pairs - before).toBe(1);
    const status = await se.request({ type: 'status' });
    expect(status.privacy?.directContacts).toBe(1);
    expect(status.calls.find((c) => c.callId === callId)?.route).toEqual({ relay: encodeNodeId(relay.publicKey) });
    await se.request({ type: 'hangup', callId });
    await sf.waitFor('ended at F', callState(callId, 'ended'));
  });
});
