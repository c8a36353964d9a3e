import { errorText } from '../error-text';
import type { Contact } from '../ext/contacts';
import { type DialPlan, planAfterLookup, planAfterLookupFailure } from '../ext/dial-plan';
import { type PopupView } from '../ext/messages';
import { toErrorInfo } from '../errors';
import type { LinkInfo } from '../protocol/native';
import { ask, openSettings, watchView } from '../browser/popup-client';
import { type NameTarget, type Target, contactTarget, parseTarget } from '../ext/target';
import { parseName } from '../names/name';
import { shortNodeId } from '../node-id';
import { contactsState } from './contacts.svelte';

// The popup's state: the background's view (host, own node id, live calls), the call
// form and what a call is going through (looking a name up, asking to confirm a changed
// node, dialling). Components read it and call its actions; only popup-client talks to
// the background.

const COPIED_MS = 1500;

export type Progress =
  | { kind: 'resolving'; name: string; requestId: string }
  | { kind: 'confirm'; plan: Extract<DialPlan, { kind: 'confirm' }>; contact: Contact | null }
  | { kind: 'calling'; nodeId: string };

class PopupState {
  view = $state<PopupView | null>(null);
  target = $state('');
  error = $state<string | null>(null);
  // Said about the call being placed, e.g. that a saved address is used.
  note = $state<string | null>(null);
  progress = $state<Progress | null>(null);
  copied = $state(false);
  // The call link made last ("Copy call link"), shown in case copying did not work.
  link = $state.raw<LinkInfo | null>(null);
  linkCopied = $state(false);
  makingLink = $state(false);
  // Who the last link was made for ("Link for…"), as typed; null: anyone may answer it.
  linkFor = $state<string | null>(null);

  readonly host = $derived(this.view?.host ?? { kind: 'connecting' as const });
  readonly nodeId = $derived(this.view?.nodeId ?? null);
  readonly network = $derived(this.view?.network ?? null);
  readonly calls = $derived(this.view?.calls ?? []);
  readonly busy = $derived(this.progress !== null);

  private copiedTimer: ReturnType<typeof setTimeout> | null = null;
  // What the "Name or node id" box is resolved for: a call, or a link only they can answer.
  private purpose: 'call' | 'link' = 'call';

  start(): void {
    watchView((view) => (this.view = view));
    contactsState.start();
  }

  // The "Name or node id" box.
  call(): Promise<void> {
    this.purpose = 'call';
    return this.go(parseTarget(this.target, this.nodeId, contactsState.list, parseName));
  }

  // "Link for…": a call link only the person in the box can answer. Found the way a call
  // finds them (contact, name, node id), so the link is bound to the node the name has now.
  linkForTarget(): Promise<void> {
    this.purpose = 'link';
    return this.go(parseTarget(this.target, this.nodeId, contactsState.list, parseName));
  }

  callContact(contact: Contact): Promise<void> {
    this.purpose = 'call';
    return this.go(contactTarget(contact, this.nodeId, parseName));
  }

  // Stops a lookup (the background aborts it) or steps back from the confirmation.
  cancel(): void {
    const p = this.progress;
    if (p?.kind === 'resolving') void ask({ type: 'cancel', requestId: p.requestId }).catch(() => {});
    if (p?.kind !== 'calling') this.progress = null;
  }

  // "Call anyway" after the contact's name moved to another node.
  confirm(): Promise<void> {
    const p = this.progress;
    if (p?.kind !== 'confirm') return Promise.resolve();
    return this.dial({ kind: 'dial', nodeId: p.plan.nodeId, name: p.plan.name, note: p.plan.note }, p.contact);
  }

  async copyNodeId(): Promise<void> {
    if (!this.nodeId) return;
    if (!(await copyText(this.nodeId))) {
      this.error = 'Copying did not work here; select the node id and copy it by hand.';
      return;
    }
    this.copied = true;
    if (this.copiedTimer) clearTimeout(this.copiedTimer);
    this.copiedTimer = setTimeout(() => (this.copied = false), COPIED_MS);
  }

  // Issues a call link, copies it (the popup has focus; the background's tab would not),
  // then opens the tab that waits for it to be answered.
  async copyLink(callee: { nodeId: string; label: string } | null = null): Promise<void> {
    if (this.makingLink) return;
    this.makingLink = true;
    this.error = null;
    try {
      const link = await ask({ type: 'make-link', ...(callee ? { callee: callee.nodeId } : {}) });
      this.link = link;
      this.linkFor = callee?.label ?? null;
      this.linkCopied = await copyText(link.url);
      await ask({ type: 'wait-link', invitation: link.invitation, expiresAt: link.expiresAt });
    } catch (err) {
      this.error = `The call link could not be made (${errorText(toErrorInfo(err))})`;
    } finally {
      this.makingLink = false;
    }
  }

  async focus(callId: string): Promise<void> {
    try {
      await ask({ type: 'focus', callId });
    } catch (err) {
      this.error = errorText(toErrorInfo(err));
    }
  }

  retry(): void {
    void ask({ type: 'retry' }).catch(() => {});
  }

  openSettings(): void {
    openSettings().catch((err: unknown) => (this.error = `Settings could not be opened (${toErrorInfo(err).message}).`));
  }

  clearError(): void {
    this.error = null;
  }

  // --- internals -----------------------------------------------------------------------

  private async go(target: Target): Promise<void> {
    if (this.busy) return;
    this.note = null;
    if (!target.ok) {
      this.error = target.message;
      return;
    }
    // The banner above already explains the host problem in full.
    if (this.host.kind === 'missing') {
      this.error = 'Install the Copybara node first (see above).';
      return;
    }
    if (this.host.kind === 'disconnected') {
      this.error = 'Copybara is not connected to its node right now (see above).';
      return;
    }
    this.error = null;
    if (target.kind === 'node') return this.dial({ kind: 'dial', nodeId: target.nodeId, name: null, note: null }, target.contact);
    return this.lookup(target);
  }

  // Looks the name up in the background; the popup stays usable and Cancel stops it.
  private async lookup(target: NameTarget): Promise<void> {
    const requestId = randomRequestId();
    const name = target.name.full;
    this.progress = { kind: 'resolving', name, requestId };
    let plan: DialPlan;
    try {
      const resolution = await ask({ type: 'resolve', name, requestId });
      plan = planAfterLookup(target, resolution, this.nodeId, Date.now());
    } catch (err) {
      plan = planAfterLookupFailure(target, toErrorInfo(err), this.nodeId);
    }
    const still = this.progress as Progress | null;
    if (still?.kind !== 'resolving' || still.requestId !== requestId) return; // cancelled
    if (plan.kind === 'stop') {
      this.progress = null;
      this.error = plan.message;
    } else if (plan.kind === 'confirm') {
      this.progress = { kind: 'confirm', plan, contact: target.contact };
    } else {
      await this.dial(plan, target.contact);
    }
  }

  private async dial(plan: Extract<DialPlan, { kind: 'dial' }>, contact: Contact | null): Promise<void> {
    if (this.purpose === 'link') {
      this.progress = null;
      this.note = plan.note;
      await this.copyLink({ nodeId: plan.nodeId, label: contact?.nickname ?? plan.name ?? shortNodeId(plan.nodeId) });
      if (this.error === null) this.target = '';
      return;
    }
    this.progress = { kind: 'calling', nodeId: plan.nodeId };
    this.note = plan.note;
    try {
      await ask({ type: 'call', target: plan.nodeId, ...(plan.name ? { name: plan.name } : {}) });
      this.target = '';
      // Next time, a different node for this name is worth a question.
      if (contact?.name && plan.name === contact.name) await contactsState.seen(contact, plan.nodeId);
    } catch (err) {
      this.error = errorText(toErrorInfo(err));
    } finally {
      this.progress = null;
    }
  }
}

export const popupState = new PopupState();

function randomRequestId(): string {
  return [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(36)).join('');
}

// The async clipboard API needs a focused document; the old copy command is the fallback.
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.setAttribute('readonly', '');
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok;
  }
}
