import { randomBytes } from 'node:crypto';
import { encodeNodeId } from '../../../lib/node-id';
import type { CallInfo, EndReason } from '../../../lib/protocol/native';
import type { PeerAddress, PeerLink, Route } from '../network/backend';
import type { MachineState, TimerName } from './call-machine';
import type { MediaRelay, RelayCredentials } from './media-relay';

// One call as the node keeps it: `state` is everything call-machine.ts decides; the rest
// are the live things its effects act on. `null` means "not yet" or "no longer".
export interface Call {
  state: MachineState;
  peerKey: Buffer;
  // What the caller knows of where the peer is beyond its key (outgoing calls only).
  via: PeerAddress | null;
  link: PeerLink | null;
  // How the call's latest link ran (kept after it closes, for the call's record).
  route: Route | null;
  // Removes this call's listeners from `link`, for when a better connection replaces it.
  detach: (() => void) | null;
  // Aborts the dial in progress (outgoing calls only).
  dialing: AbortController | null;
  timers: Record<TimerName, NodeJS.Timeout | null>;
  // The last signalling message from the peer; datagrams are counted by `relay`.
  lastHeard: number;
  relay: MediaRelay;
}

export const CALLER_IP = '100.64.0.1';
export const CALLEE_IP = '100.64.0.2';

export function newCallId(): string {
  return randomBytes(16).toString('hex');
}

// TURN credentials, fresh for every call and known only to this node and its browser, and
// the virtual relayed addresses: the caller's allocations get one, the callee's the other.
export function newTurnCredentials(callId: string, direction: CallInfo['direction']): RelayCredentials {
  const outgoing = direction === 'outgoing';
  return {
    user: `${callId.slice(0, 8)}-${randomBytes(6).toString('hex')}`,
    password: randomBytes(18).toString('base64url'),
    relayIp: outgoing ? CALLER_IP : CALLEE_IP,
    peerIp: outgoing ? CALLEE_IP : CALLER_IP,
  };
}

// What the browser and `status` see of a call: the machine's record, with how its connection runs.
export function callInfo(call: Call): CallInfo {
  const info: CallInfo = { ...call.state.info };
  if (call.route)
    info.route = {
      relay: call.route.relay ? encodeNodeId(call.route.relay) : null,
      ...(call.route.network ? { network: call.route.network } : {}),
    };
  const rtt = call.link?.rttMs;
  if (typeof rtt === 'number') info.rttMs = Math.round(rtt);
  return info;
}

export function isLive(call: Call): boolean {
  return call.state.info.state !== 'ended';
}

// What the remote side's hang-up means from here.
export function remoteHangupReason(info: Pick<CallInfo, 'state' | 'direction'>, reason: 'hangup' | 'no-answer' | 'failed'): EndReason {
  if (reason === 'failed') return 'failed';
  if (info.state === 'incoming') return 'missed';
  if (reason === 'no-answer') return info.direction === 'outgoing' ? 'no-answer' : 'missed';
  return 'remote-hangup';
}
