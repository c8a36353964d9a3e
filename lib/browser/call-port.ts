import browser, { type Runtime } from 'webextension-polyfill';
import { CopybaraError, type ErrorInfo } from '../errors';
import { PendingRequests } from '../rpc';
import type { CallInfo } from '../protocol/native';
import type { Signal } from '../protocol/signal';
import { CALL_PORT, type CallAction, type CallPageRequest, type HostState, decodeCallPagePush } from '../ext/messages';
import type { Verification } from '../ext/verification';

// The call page's only line to the background: a long-lived "call" port. It watches one
// call, turns requests into promises, and reconnects when the port drops while the call
// is still going (the MV3 worker can be restarted under us).

export interface CallPortHandlers {
  onCall(call: CallInfo, verification: Verification | null): void;
  onSignal(signal: Signal): void;
  onAnswerNow(): void;
  onGone(error: ErrorInfo): void;
  onHost(host: HostState): void;
}

// A little above the background's 15 s native timeout, so its TIMEOUT reply wins.
const REQUEST_TIMEOUT_MS = 20_000;
const RECONNECT_MS = 500;

export class CallPortClient {
  private readonly callId: string;
  private readonly handlers: CallPortHandlers;
  private port: Runtime.Port | null = null;
  private readonly pending = new PendingRequests({
    timeoutMs: REQUEST_TIMEOUT_MS,
    timeoutError: (type) => CopybaraError.TIMEOUT(`${type} got no reply`),
  });
  private stopped = false;

  constructor(callId: string, handlers: CallPortHandlers) {
    this.callId = callId;
    this.handlers = handlers;
  }

  connect(): void {
    if (this.port || this.stopped) return;
    const port = browser.runtime.connect({ name: CALL_PORT });
    this.port = port;
    port.onMessage.addListener((message: unknown) => this.onMessage(message));
    port.onDisconnect.addListener(() => {
      this.port = null;
      this.pending.failAll(new CopybaraError('HOST_DISCONNECTED', 'the extension background went away'));
      if (!this.stopped) setTimeout(() => this.connect(), RECONNECT_MS);
    });
    port.postMessage({ type: 'watch', callId: this.callId });
  }

  // Sends answer/decline/hangup/turn and resolves with the decoded result.
  request<T>(type: CallAction, decode: (value: unknown) => T): Promise<T> {
    return this.send({ type, id: 0, callId: this.callId }, decode);
  }

  async signal(signal: Signal): Promise<void> {
    await this.send({ type: 'signal', id: 0, callId: this.callId, signal }, () => undefined);
  }

  // After the call has ended: no reconnects, and let the background forget this page.
  stop(): void {
    this.stopped = true;
    this.port?.disconnect();
    this.port = null;
    this.pending.failAll(new CopybaraError('HOST_DISCONNECTED', 'the call page stopped'));
  }

  // The id in `request` is a placeholder; the table hands out the real one.
  private send<T>(request: CallPageRequest, decode: (value: unknown) => T): Promise<T> {
    const port = this.port;
    if (!port) return Promise.reject(new CopybaraError('HOST_DISCONNECTED', 'not connected to the background'));
    return this.pending.request(request.type, (id) => port.postMessage({ ...request, id }), decode);
  }

  private onMessage(message: unknown): void {
    let push;
    try {
      push = decodeCallPagePush(message);
    } catch (err) {
      console.warn('Copybara: ignoring a malformed message from the background', err);
      return;
    }
    switch (push.type) {
      case 'call':
        if (push.call.callId === this.callId) this.handlers.onCall(push.call, push.verification);
        return;
      case 'signal':
        if (push.callId === this.callId) this.handlers.onSignal(push.signal);
        return;
      case 'answer-now':
        if (push.callId === this.callId) this.handlers.onAnswerNow();
        return;
      case 'gone':
        if (push.callId === this.callId) this.handlers.onGone(push.error);
        return;
      case 'host':
        this.handlers.onHost(push.host);
        return;
      case 'reply':
        this.pending.settle(push.id, push);
    }
  }
}

// Closing the tab from the page itself: tabs.remove works for any extension page, while
// window.close() only works for windows a script opened.
export async function closeThisTab(): Promise<void> {
  const tab = await browser.tabs.getCurrent().catch(() => undefined);
  if (tab?.id !== undefined) await browser.tabs.remove(tab.id);
  else window.close();
}
