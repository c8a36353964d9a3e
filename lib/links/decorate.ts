import { displayName } from '../names/display';
import { shortNodeId } from '../node-id';
import { LINK_REASONS } from '../error-text/links';
import type { LinkErrorCode } from './errors';
import type { LinkVerdict } from './scan';

// The badge put after a call link found on a web page: what it says (pure, unit-tested) and
// the element itself. The element is a <span data-copybara-badge> whose content lives in a
// closed shadow root, so the page's styles do not reach in and its scripts cannot read or
// press the Answer button; the page sees one opaque inline element.

export const BADGE_ATTR = 'data-copybara-badge';
export const ANSWER_LABEL = 'Answer Copybara call';

export function reasonInWords(code: LinkErrorCode): string {
  return LINK_REASONS[code] ?? LINK_REASONS.MALFORMED;
}

// The one rule for showing a name (lib/names/display.ts); re-exported for the badge's users.
export { displayName };

export function expiresIn(expiresAtS: number, nowMs: number): string {
  const s = expiresAtS - Math.floor(nowMs / 1000);
  if (s <= 0) return 'expired';
  if (s < 60) return 'in less than a minute';
  if (s < 3600) return `in ${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} days`;
}

export interface BadgeText {
  label: string;
  tooltip: string;
  answerable: boolean;
}

// `verifiedName`: a name the background has resolved to this link's node (after Answer).
export function badgeText(verdict: LinkVerdict, nowMs: number, verifiedName: string | null = null): BadgeText {
  if (!verdict.ok) {
    return { label: `Copybara call link: ${reasonInWords(verdict.code)}`, tooltip: verdict.message, answerable: false };
  }
  const { caller, name, expiresAt } = verdict.link;
  const node = `node ${shortNodeId(caller)}`;
  let label: string;
  if (verifiedName) label = `Copybara call from ${displayName(verifiedName)} ✓ / ${node}`;
  else if (name) label = `Copybara call from ${node} (claims ${displayName(name)})`;
  else label = `Copybara call from ${node}`;
  const claim = name && !verifiedName ? ' The name is what the link claims; Copybara checks it when you answer.' : '';
  return { label, tooltip: `Node ${caller}. Expires ${expiresIn(expiresAt, nowMs)}.${claim}`, answerable: true };
}

// ---------------------------------------------------------------------------------------
// The element

export interface Badge {
  host: HTMLElement;
  payload: string;
  // A line under the label: progress or why answering failed ('' clears it).
  setStatus(text: string): void;
  setBusy(busy: boolean): void;
  // Shows the name the background verified, or turns the badge into a warning.
  update(verdict: LinkVerdict, verifiedName?: string | null): void;
}

export interface BadgeOptions {
  css: string;
  now: () => number;
  // Called only for a trusted click (a person, not a page script) on Answer.
  onAnswer(badge: Badge): void;
}

// Events that stop at the badge, so a click on it does not also select, open or drag the
// message it sits in.
const CONTAINED = ['click', 'dblclick', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'keydown', 'contextmenu'];

export function createBadge(doc: Document, verdict: LinkVerdict, opts: BadgeOptions): Badge {
  const host = doc.createElement('span');
  host.setAttribute(BADGE_ATTR, verdict.ok ? 'valid' : 'invalid');
  // Only the host is exposed to the page's styles; pin what matters for an inline chip.
  host.setAttribute('style', 'all: initial !important; display: inline-block !important; vertical-align: baseline !important;');
  const root = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  style.textContent = opts.css;
  const box = doc.createElement('span');
  box.setAttribute('part', 'badge');
  const label = doc.createElement('span');
  label.className = 'label';
  const button = doc.createElement('button');
  button.type = 'button';
  button.textContent = 'Answer';
  button.setAttribute('aria-label', ANSWER_LABEL);
  const status = doc.createElement('span');
  status.className = 'status';
  status.setAttribute('role', 'status');
  box.append(label, button, status);
  root.append(style, box);
  for (const type of CONTAINED) box.addEventListener(type, (e) => e.stopPropagation());

  const badge: Badge = {
    host,
    payload: verdict.payload,
    setStatus(text) {
      status.textContent = text;
    },
    setBusy(busy) {
      button.disabled = busy;
    },
    update(next, verifiedName = null) {
      const text = badgeText(next, opts.now(), verifiedName);
      box.className = `badge ${next.ok ? 'valid' : 'invalid'}`;
      host.setAttribute(BADGE_ATTR, next.ok ? 'valid' : 'invalid');
      label.textContent = text.label;
      box.title = text.tooltip;
      button.hidden = !text.answerable;
    },
  };
  button.addEventListener('click', (e) => {
    if (!e.isTrusted || button.disabled) return;
    opts.onAnswer(badge);
  });
  badge.update(verdict);
  return badge;
}
