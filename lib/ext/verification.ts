import type { ErrorCode, ErrorInfo } from '../errors';
import { displayName } from '../names/display';
import type { Resolution } from '../names/types';
import type { CallInfo } from '../protocol/native';

// Does the name a caller claims belong to the key that calls? The ring carries a name the
// caller chose (CallInfo.peerName, unverified); the Noise handshake proves the key
// (CallInfo.peer). The background resolves the name and compares. This module is the
// pure decision; the words are in lib/error-text.ts.

export type MismatchReason =
  | 'other-node' // the name points to a different node id
  | 'no-node-id' // the name exists but vouches for no node
  | 'not-registered'; // nobody holds the name (or it expired)

export type Verification =
  // Being checked; the call does not ring yet.
  | { status: 'checking'; name: string }
  // The name points to this key. fromCache: the chain was not reachable and the saved
  // answer (from verifiedAt) matched.
  | { status: 'verified'; name: string; verifiedAt: number; fromCache: boolean }
  // The chain answered, and the answer does not vouch for this key.
  | { status: 'mismatch'; name: string; reason: MismatchReason }
  // No trustworthy answer: the check failed, timed out, or only a stale saved answer
  // that disagrees was available.
  | { status: 'unverifiable'; name: string; error: ErrorInfo };

export type CheckResult = { ok: true; resolution: Resolution } | { ok: false; error: ErrorInfo };

export interface CallerOutcome {
  verification: Verification;
  // false: decline without ringing.
  ring: boolean;
}

// A saved answer that disagrees may just be out of date (the owner moved to a new node
// while the chain is unreachable): not proof enough to turn a caller away.
export const CACHED_MISMATCH = 'CACHED_MISMATCH' satisfies ErrorCode;
// The check did not finish within its bound (the background's, not the resolver's).
export const CHECK_TIMEOUT = 'CHECK_TIMEOUT' satisfies ErrorCode;

export function callerOutcome(
  call: Pick<CallInfo, 'peer' | 'peerName'>,
  result: CheckResult,
  settings: { allowMismatchedNames: boolean },
): CallerOutcome {
  const claimed = call.peerName ?? '';
  const verification = verify(call.peer, claimed, result);
  return { verification, ring: verification.status !== 'mismatch' || settings.allowMismatchedNames };
}

function verify(peer: string, claimed: string, result: CheckResult): Verification {
  if (!result.ok) {
    if (result.error.code === 'NAME_NOT_REGISTERED') return { status: 'mismatch', name: claimed, reason: 'not-registered' };
    if (result.error.code === 'NO_NODE_ID') return { status: 'mismatch', name: claimed, reason: 'no-node-id' };
    return { status: 'unverifiable', name: claimed, error: result.error };
  }
  const { resolution } = result;
  const name = resolution.name.full;
  const nodeId = resolution.records.nodeId;
  if (nodeId === peer) return { status: 'verified', name, verifiedAt: resolution.verifiedAt, fromCache: resolution.fromCache };
  if (resolution.fromCache) {
    return {
      status: 'unverifiable',
      name: claimed,
      error: {
        code: CACHED_MISMATCH,
        message: 'the name service is not reachable, and the saved address of this name is a different node',
      },
    };
  }
  return { status: 'mismatch', name: claimed, reason: nodeId === null ? 'no-node-id' : 'other-node' };
}

// The verification of an outgoing call placed to a name we resolved ourselves: the node
// only connects to the key it dialled, so the name is as good as its resolution.
export function dialledName(resolution: Pick<Resolution, 'name' | 'verifiedAt' | 'fromCache'>): Verification {
  return { status: 'verified', name: resolution.name.full, verifiedAt: resolution.verifiedAt, fromCache: resolution.fromCache };
}

// The name to show for the peer: only ever a verified one.
export function verifiedName(v: Verification | null | undefined): string | null {
  return v?.status === 'verified' ? v.name : null;
}

// A verification as it may reach a notification or a page: its name through displayName()
// (a claim is whatever the caller typed), and an error's message too, since words from the
// resolver can quote the claim. Every place that shows a Verification passes it through here.
export function forDisplay(v: Verification): Verification;
export function forDisplay(v: Verification | null | undefined): Verification | null;
export function forDisplay(v: Verification | null | undefined): Verification | null {
  if (!v) return null;
  const name = displayName(v.name);
  if (v.status !== 'unverifiable') return { ...v, name };
  return { ...v, name, error: { ...v.error, message: displayName(v.error.message, 200) } };
}
