import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
