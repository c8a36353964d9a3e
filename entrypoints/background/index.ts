import { defineBackground } from '#imports';
import browser, { type Runtime } from 'webextension-polyfill';
import { localArea, onLocalChange, restrictLocalStorageToTrustedContexts } from '../../lib/browser/local-storage';
import { BLOCKED_KEY, BlockedStore, ringPolicy } from '../../lib/ext/blocked';
import { CONTACTS_KEY, ContactsStore } from '../../lib/ext/contacts';
import { StorageNameCache } from '../../lib/ext/name-cache';
import { SETTINGS_KEY, SettingsStore } from '../../lib/ext/settings';
import { NATIVE_HOST_NAME } from '../../lib/extension-key';
import { parseName } from '../../lib/names/name';
import { NameResolver } from '../../lib/names/resolver';
import { setUpLinkHostPush } from './link-host-push';
import { setUpLinkHostRule, setUpLinkSites } from './link-setup';
import { composeBackground } from './compose';
import { applySiteProxy, readOtherSitesProxyFrom, refreshSiteProxy, setUpSiteRouting } from './site-proxy';
import { setUpSiteSearch } from './site-search';
import { siteAddress } from '../../lib/ext/site-proxy';
import * as surface from './surface';

// Registers listeners, synchronously, and nothing else: MV3 only wakes the worker for
// events whose listeners exist by the end of the first turn. The parts are built in
// compose.ts; the handlers are router.ts.
export default defineBackground(() => {
  // First, before any content script can be injected into a tab that loads meanwhile.
  restrictLocalStorageToTrustedContexts().catch((err: unknown) =>
    console.error('Copybara: could not close storage to content scripts', err),
  );
  const storage = localArea();
  const settings = new SettingsStore(storage, parseName);
  const cache = new StorageNameCache(storage);
  const contacts = new ContactsStore(storage, parseName);
  const blocked = new BlockedStore(storage);
  // Call links on sites the person opted in to (their content scripts, registered at run time).
  const linkSites = setUpLinkSites();
  const router = composeBackground({
    connectNative: () => browser.runtime.connectNative(NATIVE_HOST_NAME),
    lastError: () => browser.runtime.lastError?.message ?? null,
    surface,
    extensionUrl: browser.runtime.getURL('/'),
    extensionId: browser.runtime.id,
    contentMatches: (browser.runtime.getManifest().content_scripts ?? []).flatMap((c) => c.matches ?? []),
    siteMatches: () => linkSites.matches(),
    settings: () => settings.load(),
    makeResolver: (endpoints) => new NameResolver({ endpoints, cache }),
    ringPolicy: async () => ringPolicy(await settings.load(), await contacts.list(), await blocked.list()),
    siteProxy: applySiteProxy,
  });

  browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => router.onMessage(message, sender));
  browser.runtime.onConnect.addListener((port) => router.onConnect(port));
  browser.notifications.onClicked.addListener((id) => router.notification.clicked(id));
  // Firefox has no notification buttons.
  browser.notifications.onButtonClicked?.addListener((id, index) => router.notification.buttonClicked(id, index));
  browser.tabs.onRemoved.addListener((tabId) => router.onTabRemoved(tabId));
  // Call links: the context menu, and call links opened as web addresses.
  browser.runtime.onInstalled.addListener(() => void surface.registerMenus());
  browser.contextMenus?.onClicked.addListener((info) => {
    if (typeof info.menuItemId === 'string' && surface.ANSWER_MENU_IDS.includes(info.menuItemId)) {
      void router.links.menuClicked({ linkUrl: info.linkUrl, selectionText: info.selectionText });
    }
  });
  // Any host's /call: the configured link host can change while this filter cannot (it
  // must exist at the first turn), so navigated() checks the host against the settings.
  const linkAddresses = { url: [{ pathEquals: '/call' }] };
  browser.webNavigation?.onBeforeNavigate.addListener((d) => void router.links.navigated(d), linkAddresses);
  browser.webNavigation?.onErrorOccurred.addListener((d) => void router.links.navigated(d, true), linkAddresses);

  // Firefox: site requests are routed by a listener, which must exist at the first turn.
  setUpSiteRouting();

  // "Open bare names as sites" (options): a search for exactly alice.azero opens the site.
  setUpSiteSearch();

  // The omnibox keyword "azero": `azero alice` opens http://alice.azero/ (typed bare, such a
  // name goes to the search engine).
  browser.omnibox?.onInputEntered.addListener((text, disposition) => {
    const url = siteAddress(text);
    if (url === null) return;
    const opened =
      disposition === 'currentTab'
        ? browser.tabs.update({ url })
        : browser.tabs.create({ url, active: disposition !== 'newBackgroundTab' });
    opened.catch((err: unknown) => console.warn('Copybara: opening a site failed', err));
  });

  onLocalChange([SETTINGS_KEY, CONTACTS_KEY, BLOCKED_KEY], () => router.ringPolicyChanged());
  readOtherSitesProxyFrom(async () => (await settings.load()).otherSitesProxy);
  onLocalChange([SETTINGS_KEY], refreshSiteProxy);
  setUpLinkHostRule(async () => (await settings.load()).linkHost);
  setUpLinkHostPush(async () => (await settings.load()).linkHost);

  router.start();
  void surface.registerMenus();
});
