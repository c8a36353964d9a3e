import { findLinksInText, payloadFromHref } from '../links/find';
import { type CallLink, DEFAULT_LINK_HOST, checkLink, decodeLinkPayload } from '../links/link';
import { LinkError } from '../links/errors';
import { type LinkMessage, linkMessage } from '../links/scan';
import { shortNodeId } from '../node-id';
import { INSTALL_COMMAND } from '../error-text';
import type { HostState, LinkReport } from './messages';
import { type CheckResult, type Verification, callerOutcome } from './verification';

// The pure decisions of answering a call link in the background (the flow itself is
// entrypoints/background/links.ts; who may ask is entrypoints/background/senders.ts):
// whether a link may be answered at all, and what the check of the name it claims means
// for it.

export const LINK_HOSTS: readonly string[] = [DEFAULT_LINK_HOST];

// A message from a page about a link, or null when it is not one.
export function asLinkMessage(value: unknown): LinkMessage | null {
  try {
    return linkMessage(value);
  } catch {
    return null;
  }
}

// Why a link cannot be opened or answered now (no node), in words; null when the node is there.
export function hostProblemText(host: HostState): string | null {
  switch (host.kind) {
    case 'ready':
      return null;
    case 'missing':
      return `The Copybara node is not installed for this browser; run "${INSTALL_COMMAND}" in the Copybara folder.`;
    default:
      return 'Copybara is not connected to its node right now; try again in a moment.';
  }
}

export type LinkCheck = { ok: true; link: CallLink } | { ok: false; message: string };

// Decoding, signature, times and callee: may this node answer this link now?
export function checkPayload(payload: string, nowS: number, self: string | null): LinkCheck {
  try {
    const link = checkLink(decodeLinkPayload(payload), nowS, self);
    if (self && link.caller === self) return { ok: false, message: 'This is your own call link.' };
    return { ok: true, link };
  } catch (err) {
    return { ok: false, message: sentence(err instanceof LinkError ? err.message : 'this call link is damaged or incomplete') };
  }
}

// What the check of the claimed name means: answer (with or without a verified name) or
// refuse. A name that resolves to another node (or to none) is refused: the link lies
// about who made it. No answer from the chain lets the link through as a claim.
export type NameDecision = { kind: 'answer'; report: LinkReport; verification: Verification | null } | { kind: 'refuse'; message: string };

export function nameDecision(link: CallLink, result: CheckResult | null): NameDecision {
  if (link.name === null || result === null) {
    return { kind: 'answer', report: { name: null, verified: false, status: 'none', message: null, callId: null }, verification: null };
  }
  const { verification } = callerOutcome({ peer: link.caller, peerName: link.name }, result, { allowMismatchedNames: false });
  if (verification.status === 'verified') {
    return {
      kind: 'answer',
      report: { name: verification.name, verified: true, status: 'verified', message: null, callId: null },
      verification,
    };
  }
  if (verification.status === 'mismatch') {
    return { kind: 'refuse', message: `This link claims ${link.name} but was not made by that name's node.` };
  }
  const why = verification.status === 'unverifiable' ? verification.error.message : '';
  return {
    kind: 'answer',
    report: {
      name: link.name,
      verified: false,
      status: 'unverifiable',
      message: `claims ${link.name} (could not be checked${why ? `: ${why}` : ''})`,
      callId: null,
    },
    verification,
  };
}

// The payload behind a context-menu click: the link's address, else the first call link
// in the selected text.
export function payloadFromMenu(info: { linkUrl?: string; selectionText?: string }, hosts: readonly string[] = LINK_HOSTS): string | null {
  if (info.linkUrl) {
    const p = payloadFromHref(info.linkUrl, hosts);
    if (p) return p;
  }
  if (info.selectionText) return findLinksInText(info.selectionText.slice(0, 20_000), 1)[0]?.payload ?? null;
  return null;
}

// A navigation to a call link's own address (https://copybara.network/call#<payload>, or
// the configured host's). Only the address itself: a redirect wrapping a link is some
// other site's page, and it is that site's to show.
export function payloadFromNavigation(url: string, hosts: readonly string[] = LINK_HOSTS): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'https:' || !hosts.includes(u.host) || u.pathname !== '/call') return null;
  return payloadFromHref(url, hosts);
}

export function linkLabel(link: CallLink, report: Pick<LinkReport, 'verified' | 'name'> | null): string {
  return report?.verified && report.name ? report.name : `node ${shortNodeId(link.caller)}`;
}

function sentence(text: string): string {
  const t = text.trim();
  const head = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(head) ? head : `${head}.`;
}
