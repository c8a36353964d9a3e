import type { NodeEvent } from '../../lib/protocol/native';
import { callState } from '../node-socket';
import type { LabNode } from './lab-node';

// A call between two lab nodes, driven through their local sockets, as the NAT matrix test and
// the NAT bench place them.

// Whether the callee rang, and how long after the call request; or how the call ended instead.
export type Outcome = { ok: true; ringMs: number; relayed?: boolean } | { ok: false; ms: number; reason: string };

// Dials and waits until the callee rings or the caller's call ends.
export async function dialOutcome(caller: LabNode, callee: LabNode, limitMs: number): Promise<{ callId: string; outcome: Outcome }> {
  const started = Date.now();
  const { callId } = await caller.socket.request({ type: 'call', target: callee.nodeId });
  const rang = (e: NodeEvent) => callState(callId, 'incoming')(e);
  const ended = (e: NodeEvent) => callState(callId, 'ended')(e);
  while (Date.now() - started < limitMs) {
    if (callee.socket.events.some(rang)) return { callId, outcome: { ok: true, ringMs: Date.now() - started } };
    const end = caller.socket.events.find(ended);
    if (end?.event === 'call') {
      return {
        callId,
        outcome: { ok: false, ms: Date.now() - started, reason: `${end.call.reason ?? 'ended'}: ${end.call.detail ?? ''}` },
      };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${caller.name} → ${callee.name}: neither a ring at the callee nor an end at the caller within ${limitMs} ms`);
}

// Answer, an answer and a signal crossing, hang-up: the whole call over the link that rang.
export async function completeCall(caller: LabNode, callee: LabNode, callId: string): Promise<void> {
  await callee.socket.request({ type: 'answer', callId });
  await caller.socket.waitFor(`${caller.name}: call active`, callState(callId, 'active'), 20_000);
  await caller.socket.request({ type: 'signal', callId, signal: { kind: 'offer', sdp: 'v=0\r\n' } });
  await callee.socket.waitFor(`${callee.name}: the offer arrives`, (e) => e.event === 'signal' && e.callId === callId, 20_000);
  await hangUp(caller, callee, callId);
}

export async function hangUp(caller: LabNode, callee: LabNode, callId: string): Promise<void> {
  await caller.socket.request({ type: 'hangup', callId }).catch(() => undefined);
  for (const n of [caller, callee]) {
    if (n.socket.events.some(callState(callId, 'incoming')) || n === caller) {
      await n.socket.waitFor(`${n.name}: call ${callId} ended`, callState(callId, 'ended'), 20_000);
    }
  }
}
