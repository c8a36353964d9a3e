import { defineBackground } from '#imports';
import browser, { type Runtime } from 'webextension-polyfill';
import { NATIVE_HOST_NAME } from '../../lib/extension-key';
import { createRouter } from './router';
import * as surface from './surface';

// Registers listeners, synchronously, and nothing else: MV3 only wakes the worker for
// events whose listeners exist by the end of the first turn. The work is in router.ts.
export default defineBackground(() => {
  const router = createRouter({
    connectNative: () => browser.runtime.connectNative(NATIVE_HOST_NAME),
    lastError: () => browser.runtime.lastError?.message ?? null,
    surface,
    extensionUrl: browser.runtime.getURL('/'),
    extensionId: browser.runtime.id,
  });

  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => router.onMessage(message, sender));
  browser.runtime.onConnect.addListener((port) => router.onConnect(port));
  browser.notifications.onClicked.addListener((id) => router.notification.clicked(id));
  // Firefox has no notification buttons.
  browser.notifications.onButtonClicked?.addListener((id, index) => router.notification.buttonClicked(id, index));
  browser.tabs.onRemoved.addListener((tabId) => router.onTabRemoved(tabId));

  router.start();
});
