import type { CallPagePush, PopupPush } from '../../lib/ext/messages';

// The extension pages connected to the background: open popups, and call pages with the
// call each one watches. Holds ports only; what to send is the router's business.

export interface PagePort {
  name: string;
  sender?: { id?: string; url?: string; tab?: { id?: number } };
  postMessage(message: unknown): void;
  disconnect(): void;
  onMessage: { addListener(cb: (message: unknown) => void): void };
  onDisconnect: { addListener(cb: () => void): void };
}

export class PageHub {
  private readonly popups = new Set<PagePort>();
  // Call page port -> the call it watches (null until its `watch` arrives).
  private readonly callPages = new Map<PagePort, string | null>();

  addPopup(port: PagePort): void {
    this.popups.add(port);
  }

  removePopup(port: PagePort): void {
    this.popups.delete(port);
  }

  popupCount(): number {
    return this.popups.size;
  }

  addCallPage(port: PagePort): void {
    this.callPages.set(port, null);
  }

  watch(port: PagePort, callId: string): void {
    this.callPages.set(port, callId);
  }

  watched(port: PagePort): string | null {
    return this.callPages.get(port) ?? null;
  }

  // Returns the call the page watched.
  removeCallPage(port: PagePort): string | null {
    const callId = this.callPages.get(port) ?? null;
    this.callPages.delete(port);
    return callId;
  }

  watchers(callId: string): PagePort[] {
    return [...this.callPages].filter(([, id]) => id === callId).map(([port]) => port);
  }

  watchedCalls(): string[] {
    return [...new Set([...this.callPages.values()].filter((id): id is string => id !== null))];
  }

  toPopups(push: PopupPush): void {
    for (const port of this.popups) send(port, push);
  }

  // Returns how many pages got it.
  toCall(callId: string, push: CallPagePush): number {
    const ports = this.watchers(callId);
    for (const port of ports) send(port, push);
    return ports.length;
  }

  toAllCallPages(push: CallPagePush): void {
    for (const port of this.callPages.keys()) send(port, push);
  }
}

// A port can close between our check and our send; that page is gone, nothing to do.
export function send(port: PagePort, message: unknown): void {
  try {
    port.postMessage(message);
  } catch {
    // disconnected
  }
}
