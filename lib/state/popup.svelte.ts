import { errorText } from '../error-text';
import { ask, watchView } from '../ext/popup-client';
import { errorInfoOf, type PopupView } from '../ext/messages';
import { parseTarget } from '../ext/target';

// The popup's state: the background's view (host, own node id, live calls) plus the call
// form. Components read it and call its actions; only popup-client talks to the browser.

const COPIED_MS = 1500;

class PopupState {
  view = $state<PopupView | null>(null);
  target = $state('');
  error = $state<string | null>(null);
  calling = $state(false);
  copied = $state(false);

  readonly host = $derived(this.view?.host ?? { kind: 'connecting' as const });
  readonly nodeId = $derived(this.view?.nodeId ?? null);
  readonly calls = $derived(this.view?.calls ?? []);

  private copiedTimer: ReturnType<typeof setTimeout> | null = null;

  start(): void {
    watchView((view) => (this.view = view));
  }

  async call(): Promise<void> {
    if (this.calling) return;
    const target = parseTarget(this.target, this.nodeId);
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
    this.calling = true;
    try {
      await ask({ type: 'call', target: target.nodeId });
      this.target = '';
    } catch (err) {
      this.error = errorText(errorInfoOf(err));
    } finally {
      this.calling = false;
    }
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

  async focus(callId: string): Promise<void> {
    try {
      await ask({ type: 'focus', callId });
    } catch (err) {
      this.error = errorText(errorInfoOf(err));
    }
  }

  retry(): void {
    void ask({ type: 'retry' }).catch(() => {});
  }

  clearError(): void {
    this.error = null;
  }
}

export const popupState = new PopupState();

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
