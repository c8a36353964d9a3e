import { randomBytes } from 'node:crypto';
import type { CallInfo, EndReason } from '../../../lib/protocol/native';
import type { PeerLink } from '../network/backend';

// One call as the node keeps it. Every field is declared here, so a call's whole state can
// be read in one place; `null` means "not yet" or "no longer".
export interface Call {
  info: CallInfo;
  peerKey: Buffer;
  // The name this node claims in its ring (outgoing calls only).
  claimedName: string | null;
  link: PeerLink | null;
  // Removes this call's listeners from `link`, for when a better connection replaces it.
  detach: (() => void) | null;
  dialing: AbortController | null;
  timer: NodeJS.Timeout | null;
  keepAlive: NodeJS.Timeout | null;
  lastHeard: number;
  pingSeq: number;
  // TURN credentials, fresh for every call and known only to this node and its browser.
  turnUser: string;
  turnPassword: string;
  turnActive: boolean;
  // Virtual relayed addresses: the caller's allocations get one, the callee's the other.
  relayIp: string;
  peerIp: string;
}

export const CALLER_IP = '100.64.0.1';
export const CALLEE_IP = '100.64.0.2';

export function newCallId(): string {
  return randomBytes(16).toString('hex');
}

export function createCall(init: {
  callId: string;
  direction: CallInfo['direction'];
  peer: string;
  peerKey: Buffer;
  peerName: string | null;
  now: number;
}): Call {
  const outgoing = init.direction === 'outgoing';
  return {
    info: {
      callId: init.callId,
      direction: init.direction,
      peer: init.peer,
      peerName: init.peerName,
      state: outgoing ? 'dialing' : 'incoming',
      reason: null,
      detail: null,
      safetyCode: null,
      createdAt: init.now,
      answeredAt: null,
      endedAt: null,
      invitation: null,
      viaLink: false,
    },
    peerKey: init.peerKey,
    claimedName: null,
    link: null,
    detach: null,
    dialing: null,
    timer: null,
    keepAlive: null,
    lastHeard: init.now,
    pingSeq: 0,
    turnUser: `${init.callId.slice(0, 8)}-${randomBytes(6).toString('hex')}`,
    turnPassword: randomBytes(18).toString('base64url'),
    turnActive: false,
    relayIp: outgoing ? CALLER_IP : CALLEE_IP,
    peerIp: outgoing ? CALLEE_IP : CALLER_IP,
  };
}

export function isLive(call: Call): boolean {
  return call.info.state !== 'ended';
}

// What the remote side's hang-up means from here.
export function remoteHangupReason(call: Call, reason: 'hangup' | 'no-answer' | 'failed'): EndReason {
  if (reason === 'failed') return 'failed';
  if (call.info.state === 'incoming') return 'missed';
  if (reason === 'no-answer') return call.info.direction === 'outgoing' ? 'no-answer' : 'missed';
  return 'remote-hangup';
}
