import { INSTALL_COMMAND, endReasonText, isFailure, peerLabel } from '../error-text';
import type { HostState } from '../ext/messages';
import { type Verification, forDisplay } from '../ext/verification';
import type { CallInfo } from '../protocol/native';

// Pure helpers behind the call page: what to say about a call, given what the page knows.
// Kept free of runes and browser APIs so they are tested directly.

export type Tone = 'waiting' | 'live' | 'ended' | 'failed';

export interface StatusWords {
  headline: string;
  detail: string | null;
  tone: Tone;
  // The ticking part of the headline ("0:05" in "In call 0:05"), so it can be kept out of
  // what screen readers announce every second.
  clock?: string;
}

export interface CallViewInput {
  call: CallInfo | null;
  // What the background found out about the name the peer claims (null: none claimed).
  verification?: Verification | null;
  // The page's own failure (media could not connect, no microphone…), in words.
  failure: string | null;
  // Set when the background does not know the call: words for why.
  gone: string | null;
  // The headline over `gone` (default "Call ended").
  goneHeadline?: string;
  // The background's link to the node; matters while the call is not known yet.
  host: HostState | null;
  answering: boolean;
  mediaConnected: boolean;
  connectedAt: number | null;
  now: number;
}

// 5_000 -> "0:05", 754_000 -> "12:34", 3_723_000 -> "1:02:03".
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const s = total % 60;
  const m = Math.floor(total / 60) % 60;
  const h = Math.floor(total / 3600);
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function callStatus(v: CallViewInput): StatusWords {
  const { call } = v;
  if (v.failure) return { headline: `Call failed: ${v.failure}`, detail: null, tone: 'failed' };
  if (!call) {
    if (v.gone) return { headline: v.goneHeadline ?? 'Call ended', detail: v.gone, tone: 'ended' };
    if (v.host?.kind === 'missing') {
      return {
        headline: 'The Copybara node is not installed for this browser',
        detail: `Run "${INSTALL_COMMAND}" in the Copybara folder, then reload this page.`,
        tone: 'failed',
      };
    }
    if (v.host?.kind === 'disconnected') return { headline: 'Waiting for the Copybara node…', detail: null, tone: 'waiting' };
    return { headline: 'Loading call…', detail: null, tone: 'waiting' };
  }
  const who = peerLabel(call, forDisplay(v.verification));
  switch (call.state) {
    case 'dialing':
      return { headline: `Connecting to ${who}…`, detail: null, tone: 'waiting' };
    case 'ringing':
      return { headline: 'Ringing…', detail: null, tone: 'waiting' };
    case 'incoming':
      if (v.answering) return { headline: call.viaLink ? 'Connecting…' : 'Answering…', detail: null, tone: 'waiting' };
      // Whoever holds a link can answer it (a messenger's preview bot, anyone in the group),
      // so the maker is shown who did before anything is shared.
      if (call.viaLink)
        return {
          headline: `${who} answered your call link`,
          detail: 'Press Connect to start the call; your camera and microphone stay off until then.',
          tone: 'waiting',
        };
      return { headline: `Incoming call from ${who}`, detail: null, tone: 'waiting' };
    case 'active': {
      if (!v.mediaConnected) return { headline: 'Connecting media…', detail: null, tone: 'waiting' };
      const clock = formatDuration(v.now - (v.connectedAt ?? v.now));
      return { headline: `In call ${clock}`, detail: null, tone: 'live', clock };
    }
    case 'reconnecting':
      // The media stalls meanwhile; it resumes by itself once the node has a new connection.
      return {
        headline: call.route?.relay ? 'Connection lost — reconnecting through another relay…' : 'Connection lost — reconnecting…',
        detail: `The call with ${who} continues as soon as a new connection is found.`,
        tone: 'waiting',
      };
    case 'ended': {
      const why = endReasonText(call.reason, who, call.detail, call.direction);
      if (isFailure(call.reason)) return { headline: `Call failed: ${why}`, detail: null, tone: 'failed' };
      return { headline: 'Call ended', detail: why, tone: 'ended' };
    }
  }
}

// Which controls make sense in each state.
export interface Controls {
  answer: boolean; // Answer + Decline
  // The call answered our call link and waits for us: Answer reads "Connect".
  connect: boolean;
  hangup: boolean;
  media: boolean; // Mute / Camera
  close: boolean;
}

export function controlsFor(call: CallInfo | null, ended: boolean): Controls {
  const none = { answer: false, connect: false, hangup: false, media: false, close: false };
  if (ended || call?.state === 'ended') return { ...none, close: true };
  if (!call) return none;
  if (call.state === 'incoming') return { ...none, answer: true, connect: call.viaLink };
  return { ...none, hangup: true, media: true };
}
