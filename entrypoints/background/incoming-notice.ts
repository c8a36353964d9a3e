import { claimText, peerLabel } from '../../lib/error-text';
import { type Verification, forDisplay } from '../../lib/ext/verification';
import { displayName } from '../../lib/names/display';
import { shortNodeId } from '../../lib/node-id';
import type { CallInfo } from '../../lib/protocol/native';

// The words of the incoming-call notification (pure, so they can be tested without a
// browser; surface.ts shows them). The caller is named by a verified name only; a claim is
// said as one. Everything the caller chose goes through displayName() first, and the
// finished lines once more, so nothing it sent can add lines or reorder the text.
export interface IncomingNotice {
  message: string;
  contextMessage?: string;
}

// Notifications cut long lines themselves, but not always at a place that keeps the node id.
const LINE_MAX = 200;

export function incomingNotice(call: Pick<CallInfo, 'peer'>, verification: Verification | null): IncomingNotice {
  const shown = forDisplay(verification);
  const message = displayName(`Incoming call from ${peerLabel(call, shown)}`, LINE_MAX);
  if (!shown) return { message };
  const context = shown.status === 'verified' ? `node ${shortNodeId(call.peer)}` : claimText(shown);
  return { message, contextMessage: displayName(context, LINE_MAX) };
}
