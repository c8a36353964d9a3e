import { describe, expect, it } from 'vitest';
import type { RingPolicy } from '../../../lib/ext/blocked';
import { encodeNodeId } from '../../../lib/node-id';
import type { CallInfo } from '../../../lib/protocol/native';
import { routerHarness } from '../../../testkit/ext/router-harness';
import { ALICE, callInfo } from '../../../testkit/ext/fixtures';

// Ring floods as the background sees them: the node's events for call after call that
// rings and ends unanswered. However many, the background keeps one ringing tab and at
// most one notification up (the node's limits, ring-gate.ts, bound how many arrive). Calls
// are made "now": the book forgets ended calls older than 30 minutes, tabs with them.

const STATUS = {
  nodeId: ALICE,
  version: '0.1.0',
  backend: 'hyperdht',
  turnPort: 3478,
  dhtPort: null,
  calls: [] as CallInfo[],
  network: { kind: 'online', relays: null },
};
const FLOODER = encodeNodeId(new Uint8Array(32).fill(2));
const GENUINE = encodeNodeId(new Uint8Array(32).fill(3));
const keyOf = (i: number) => encodeNodeId(new Uint8Array(32).fill(10 + i));
const idOf = (i: number) => i.toString(16).padStart(32, '0');

async function setup(policy?: () => Promise<RingPolicy>) {
  const h = routerHarness({ checkTimeoutMs: 50, ...(policy ? { ringPolicy: policy } : {}) });
  h.surface.showsOurPage.mockResolvedValue(true);
  h.router.start();
  h.native().reply(h.native().last('status'), STATUS);
  await h.flush();
  const event = (call: CallInfo) => h.native().deliver({ v: 1, event: 'call', call });
  // A ring from `peer`, then its end (the caller hung up) unless it is left ringing.
  const ring = async (i: number, peer: string, ends = true) => {
    const call = callInfo({ callId: idOf(i), direction: 'incoming', state: 'incoming', peer, createdAt: Date.now() + i });
    event(call);
    await h.flush();
    const up = h.surface.notices.size;
    if (ends) {
      event({ ...call, state: 'ended', reason: 'missed', endedAt: call.createdAt + 100 });
      await h.flush();
    }
    return up;
  };
  return { ...h, ring, event };
}

describe('a flood of rings reaching the background', () => {
  for (const [what, peerOf] of [
    ['one key', () => FLOODER],
    ['20 keys', keyOf],
  ] as const) {
    it(`20 ring/hang-up cycles from ${what}: one tab, at most one notification up; a genuine caller then rings`, async () => {
      const t = await setup();
      const up: number[] = [];
      for (let i = 1; i <= 20; i++) up.push(await t.ring(i, peerOf(i)));
      expect(Math.max(...up)).toBe(1);
      expect(t.surface.notices.size).toBe(0);
      expect(t.surface.showCallTab).toHaveBeenCalledTimes(1);
      expect(t.surface.replaceTab).toHaveBeenCalledTimes(19);
      expect(t.surface.replaceTab).toHaveBeenLastCalledWith(7, `call.html?call=${idOf(20)}`);

      await t.ring(21, GENUINE, false);
      expect([...t.surface.notices]).toEqual([idOf(21)]);
      expect(t.surface.showIncoming).toHaveBeenLastCalledWith(expect.objectContaining({ peer: GENUINE }), null);
    });
  }

  it('a caller ringing again while its first ring is still up replaces it: one tab, one notification', async () => {
    const t = await setup();
    await t.ring(1, FLOODER, false);
    await t.ring(2, FLOODER, false);
    expect([...t.surface.notices]).toEqual([idOf(2)]);
    expect(t.surface.showCallTab).toHaveBeenCalledTimes(1);
    expect(t.surface.replaceTab).toHaveBeenCalledWith(7, `call.html?call=${idOf(2)}`);
  });

  it('a tab the person has since used for another site is left alone: the next ring opens its own', async () => {
    const t = await setup();
    await t.ring(1, FLOODER);
    t.surface.showsOurPage.mockResolvedValue(false);
    await t.ring(2, FLOODER, false);
    expect(t.surface.replaceTab).not.toHaveBeenCalled();
    expect(t.surface.showCallTab).toHaveBeenCalledTimes(2);
    expect([...t.surface.notices]).toEqual([idOf(2)]);
  });

  it('an answered call keeps its tab: the next ring opens its own', async () => {
    const t = await setup();
    const call = callInfo({ callId: idOf(1), direction: 'incoming', state: 'incoming', peer: GENUINE, createdAt: Date.now() });
    t.event(call);
    await t.flush();
    t.event({ ...call, state: 'ended', reason: 'remote-hangup', answeredAt: call.createdAt + 1, endedAt: call.createdAt + 2 });
    await t.flush();
    await t.ring(2, FLOODER, false);
    expect(t.surface.replaceTab).not.toHaveBeenCalled();
    expect(t.surface.showCallTab).toHaveBeenCalledTimes(2);
  });
});

describe('who may ring, told to the node', () => {
  it('is sent on connect, on every change, and again after a reconnect', async () => {
    let policy: RingPolicy = { blocked: [FLOODER], allowOnly: null, direct: [], relays: [] };
    const t = await setup(async () => policy);
    await t.flush();
    expect(t.native().last('ring-policy')).toMatchObject({ type: 'ring-policy', blocked: [FLOODER], allowOnly: null });
    t.native().reply(t.native().last('ring-policy'), null);

    policy = { blocked: [FLOODER], allowOnly: [GENUINE], direct: [], relays: [] };
    t.router.ringPolicyChanged();
    await t.flush();
    expect(t.native().sent.filter((m) => m.type === 'ring-policy')).toHaveLength(2);
    expect(t.native().last('ring-policy')).toMatchObject({ allowOnly: [GENUINE] });
    t.native().reply(t.native().last('ring-policy'), null);

    t.native().drop(t.setLastError, 'Native host has exited.');
    t.router.native.retryNow();
    t.native().reply(t.native().last('status'), STATUS);
    await t.flush();
    await t.flush();
    expect(t.natives).toHaveLength(2);
    expect(t.native().last('ring-policy')).toMatchObject({ blocked: [FLOODER], allowOnly: [GENUINE] });
  });
});
