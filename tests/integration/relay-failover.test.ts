import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { encodeNodeId } from '../../lib/node-id';
import type { NodeEvent } from '../../lib/protocol/native';
import type { Timing } from '../../native-host/node/calls/timing';
import { type NodeSocket, callState } from '../../testkit/node-socket';
import { CallMedia, FAST_TIMING, PrivateNet, answeredCall } from '../../testkit/private-call';

// A call in private mode survives the loss of the blind relay carrying it: both nodes notice
// the silence, the caller dials again through another relay it knows and rings the same call,
// the callee moves the call onto that connection, and media flows again without the browsers
// doing anything (their WebRTC talks only to their own node's TURN server).

let net: PrivateNet;

beforeAll(async () => {
  net = await PrivateNet.start('relay-failover');
});

afterAll(async () => {
  await net?.close();
});

const callEvent = (callId: string) => (e: NodeEvent) => e.event === 'call' && e.call.callId === callId;
const statesSeen = (s: NodeSocket, callId: string) =>
  s.events.filter(callEvent(callId)).map((e) => (e.event === 'call' ? e.call.state : ''));

// A call between two nodes that both pin two relays, answered, with media flowing; then the
// relay carrying it goes away. `calleeTiming`: the callee's, when it should notice later than
// the caller. Resolves with how long each step took after the relay went away.
async function failover(tag: string, calleeTiming: Partial<Timing> = FAST_TIMING): Promise<{ noticed: number; flowing: number }> {
  const [r1, r2] = [await net.relay(`${tag}-relay-1`), await net.relay(`${tag}-relay-2`)];
  const [, sa] = await net.node(`${tag}-a`, [r1, r2]);
  const [b, sb] = await net.node(`${tag}-b`, [r1, r2], calleeTiming);
  const callId = await answeredCall(sa, sb, b);
  await sb.waitFor('active at B', callState(callId, 'active'));
  const answeredAt = async (s: NodeSocket) => (await s.request({ type: 'status' })).calls.find((c) => c.callId === callId)!.answeredAt;
  const answered = new Map([
    [sa, await answeredAt(sa)],
    [sb, await answeredAt(sb)],
  ]);
  const media = await CallMedia.open(sa, sb, callId);
  try {
    await media.flows('a', 5000);
    await media.flows('b', 5000);
    const carrier = [r1, r2].find((r) => r.counts().pairs === 1);
    const other = carrier === r1 ? r2 : r1;
    expect(carrier).toBeDefined();
    expect(other.counts().pairs).toBe(0);

    const [fromA, fromB] = [sa.events.length, sb.events.length];
    const lost = Date.now();
    await carrier!.close();
    const [ra, rb] = await Promise.all([
      sa.waitFor('reconnecting at A', callState(callId, 'reconnecting'), 10_000, fromA),
      sb.waitFor('reconnecting at B', callState(callId, 'reconnecting'), 10_000, fromB),
    ]);
    const noticed = Date.now() - lost;
    await Promise.all([
      sa.waitFor('active again at A', callState(callId, 'active'), 15_000, sa.events.indexOf(ra)),
      sb.waitFor('active again at B', callState(callId, 'active'), 15_000, sb.events.indexOf(rb)),
    ]);
    const relinked = Date.now() - lost;
    await Promise.all([media.flows('a', 15_000), media.flows('b', 15_000)]);
    const flowing = Date.now() - lost;
    console.log(`${tag}: loss noticed after ${noticed} ms, call active again after ${relinked} ms, media both ways after ${flowing} ms`);

    expect(other.counts().pairs).toBe(1);
    for (const s of [sa, sb]) {
      expect(statesSeen(s, callId).slice(-3)).toEqual(['active', 'reconnecting', 'active']);
      const call = (await s.request({ type: 'status' })).calls.find((c) => c.callId === callId)!;
      expect(call).toMatchObject({ state: 'active', answeredAt: answered.get(s), route: { relay: encodeNodeId(other.publicKey) } });
    }
    await sa.request({ type: 'hangup', callId });
    await sb.waitFor('ended at B', callState(callId, 'ended'));
    return { noticed, flowing };
  } finally {
    await media.close();
  }
}

describe('losing the relay of a call', () => {
  it('moves the call onto the other relay: reconnecting, then active, media both ways again within 5 s', async () => {
    onTestFailed(() => console.log(net.logs.join('\n')));
    const { flowing } = await failover('both-notice');
    expect(flowing).toBeLessThan(5000);
  }, 60_000);

  it('works when the caller notices first and redials while the callee still has the old link', async () => {
    onTestFailed(() => console.log(net.logs.join('\n')));
    // The callee would notice the silence only after 6 s; the caller's ring comes first.
    const { flowing } = await failover('caller-first', { ...FAST_TIMING, peerLostAfter: 6000, activeSilenceAfter: 6000 });
    expect(flowing).toBeLessThan(5000);
  }, 60_000);

  it('with no other relay, ends as peer-lost after the reconnect timeout', async () => {
    const timing = { ...FAST_TIMING, reconnectTimeout: 4000 };
    const only = await net.relay('only-relay');
    const [, sa] = await net.node('c', [only], timing);
    const [d, sd] = await net.node('d', [only], timing);
    const callId = await answeredCall(sa, sd, d);
    await only.close();
    const lost = Date.now();
    const [ra] = await Promise.all([
      sa.waitFor('reconnecting at C', callState(callId, 'reconnecting'), 10_000),
      sd.waitFor('reconnecting at D', callState(callId, 'reconnecting'), 10_000),
    ]);
    const noticed = Date.now() - lost;
    const ended = await Promise.all([
      sa.waitFor('ended at C', callState(callId, 'ended'), 15_000, sa.events.indexOf(ra)),
      sd.waitFor('ended at D', callState(callId, 'ended'), 15_000),
    ]);
    const over = Date.now() - lost;
    console.log(`single relay: loss noticed after ${noticed} ms, call ended after ${over} ms`);
    for (const e of ended) {
      expect(e.event === 'call' && e.call).toMatchObject({
        reason: 'peer-lost',
        detail: expect.stringContaining('could not be re-established'),
      });
    }
    expect(over).toBeGreaterThanOrEqual(4000);
  }, 40_000);
});
