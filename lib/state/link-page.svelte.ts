import browser, { type Runtime } from 'webextension-polyfill';
import { errorText, sentence } from '../error-text';
import { closeThisTab } from '../browser/call-port';
import { checkPayload, linkLabel } from '../ext/link-flow';
import { INVITATION } from '../protocol/check';
import { LINK_PORT, type LinkReport, decodeLinkPush, decodeLinkReport, decodeReply, unwrap } from '../ext/messages';
import { toErrorInfo } from '../errors';
import type { CallLink } from '../links/link';
import { shortNodeId } from '../node-id';

// The call tab before it shows a call (docs/links.md):
//   waiting  call.html?link=<invitation>&expires=<s>: our link is out; when someone
//            answers it the node lets the call through and this tab becomes that call.
//   preview  call.html?preview=<payload>: a link someone sent us, with Answer / Dismiss.
// No camera or microphone is used here: the waiting tab starts them only once the call
// has arrived (Alice pressed "Copy call link", but may have walked away since).

const RECONNECT_MS = 500;

export type WaitState = 'connecting' | 'waiting' | 'stopped' | 'expired' | 'failed';

class LinkPageState {
  mode = $state<'waiting' | 'preview' | null>(null);
  // waiting
  wait = $state<WaitState>('connecting');
  expiresAt = $state<number | null>(null);
  // preview
  link = $state.raw<CallLink | null>(null);
  report = $state.raw<LinkReport | null>(null);
  checking = $state(false);
  answering = $state(false);
  problem = $state<string | null>(null);

  readonly from = $derived(this.link ? linkLabel(this.link, this.report) : '');
  readonly claim = $derived(
    this.link?.name && !this.report?.verified ? (this.report?.message ?? `claims ${this.link.name} (not checked yet)`) : null,
  );
  readonly node = $derived(this.link ? shortNodeId(this.link.caller) : '');

  private payload: string | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private port: Runtime.Port | null = null;
  private invitation: string | null = null;
  private onArrived: ((callId: string) => void) | null = null;

  // --- waiting -------------------------------------------------------------------------

  startWaiting(invitation: string, expires: number | null, onArrived: (callId: string) => void): void {
    this.mode = 'waiting';
    if (!INVITATION.test(invitation)) {
      this.wait = 'failed';
      this.problem = 'This page was opened without a valid call link.';
      return;
    }
    this.invitation = invitation;
    this.expiresAt = expires;
    this.onArrived = onArrived;
    this.connect();
    // Past its expiry nobody can answer the link: stop waiting and say so.
    if (expires !== null) {
      const ms = expires * 1000 - Date.now();
      this.expiryTimer = setTimeout(
        () => {
          if (this.wait !== 'waiting' && this.wait !== 'connecting') return;
          this.stopWaiting();
          this.wait = 'expired';
        },
        Math.min(Math.max(0, ms), 2 ** 31 - 1),
      );
    }
  }

  stopWaiting(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    this.wait = 'stopped';
    const port = this.port;
    this.port = null;
    port?.disconnect();
  }

  private connect(): void {
    if (this.wait === 'stopped' || this.port || !this.invitation) return;
    const port = browser.runtime.connect({ name: LINK_PORT });
    this.port = port;
    port.onMessage.addListener((message: unknown) => {
      let push;
      try {
        push = decodeLinkPush(message);
      } catch (err) {
        console.warn('Copybara: ignoring a malformed message from the background', err);
        return;
      }
      if (push.type === 'waiting') this.wait = 'waiting';
      else if (push.type === 'failed') {
        this.wait = 'failed';
        this.problem = errorText(push.error);
      } else {
        this.stopWaiting();
        this.mode = null;
        this.onArrived?.(push.callId);
      }
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      // The worker restarted: wait again (the node forgot nothing, the background did).
      if (this.wait !== 'failed') setTimeout(() => this.connect(), RECONNECT_MS);
    });
    port.postMessage({ type: 'wait', invitation: this.invitation });
  }

  // --- preview -------------------------------------------------------------------------

  async startPreview(payload: string): Promise<void> {
    this.mode = 'preview';
    const checked = checkPayload(payload, Math.floor(Date.now() / 1000), null);
    if (!checked.ok) {
      this.problem = checked.message;
      return;
    }
    this.link = checked.link;
    this.payload = payload;
    this.checking = true;
    try {
      this.report = await this.ask('link-status');
    } catch (err) {
      this.problem = sentence(toErrorInfo(err).message);
    } finally {
      this.checking = false;
    }
  }

  // Dials; the background shows the call in this tab.
  async answer(): Promise<void> {
    if (this.answering || !this.payload || this.problem) return;
    this.answering = true;
    try {
      this.report = await this.ask('answer-link');
    } catch (err) {
      this.problem = sentence(toErrorInfo(err).message);
    } finally {
      this.answering = false;
    }
  }

  dismiss(): void {
    void closeThisTab();
  }

  private async ask(type: 'link-status' | 'answer-link'): Promise<LinkReport> {
    const reply = await browser.runtime.sendMessage({ type, payload: this.payload });
    return unwrap(decodeReply(reply, decodeLinkReport));
  }
}

export const linkPage = new LinkPageState();
