import type { CallBrowser } from '../protocol/native';

// What the extension does differently in Firefox than in Chromium, decided here once (the
// build target is fixed at build time: `wxt build -b firefox`), so no other module tests
// for the browser itself.

export const IS_FIREFOX = import.meta.env.BROWSER === 'firefox';

// Told to the node with every `turn` request: Firefox refuses a TURN server on loopback, so
// its call tab is given a relay on a local network address instead.
export const CALL_BROWSER: CallBrowser = IS_FIREFOX ? 'firefox' : 'chromium';

// An incoming call's notification: Chromium shows Answer/Decline buttons and keeps it up
// until acted on; Firefox rejects these fields, and its notification only opens the tab.
export function incomingNotificationExtras(): { buttons?: { title: string }[]; requireInteraction?: boolean; priority?: number } {
  return IS_FIREFOX ? {} : { buttons: [{ title: 'Answer' }, { title: 'Decline' }], requireInteraction: true, priority: 2 };
}

// How .azero sites are routed to the node's proxy: Chromium takes a PAC script through the
// proxy setting (which one extension at a time controls); Firefox asks a proxy.onRequest
// listener about each site request and leaves the proxy setting alone.
export type SiteRouting = 'pac-script' | 'request-listener';
export const SITE_ROUTING: SiteRouting = IS_FIREFOX ? 'request-listener' : 'pac-script';
