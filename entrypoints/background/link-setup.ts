import browser from 'webextension-polyfill';
import { LINK_HOST_RULE_ID, linkHostRule, linkHosts } from '../../lib/links/host';
import { type LinkSites, createLinkSites } from './link-sites';

// The browser side of two call-link settings, wired by index.ts (listeners synchronously,
// at the worker's start): the configured link host's navigation block, and the opt-in
// sites' content scripts. The decisions are in lib/links/host.ts and link-sites.ts.

// The manifest's messenger content script: its file and its matches.
function messengerScript(): { js: string; matches: string[] } {
  const entries = browser.runtime.getManifest().content_scripts ?? [];
  const entry = entries.find((c) => (c.js ?? []).some((f) => f.includes('messenger'))) ?? entries[0];
  return { js: entry?.js?.[0] ?? 'content-scripts/messenger.js', matches: entry?.matches ?? [] };
}

export function setUpLinkSites(): LinkSites {
  const script = messengerScript();
  const sites = createLinkSites({
    scripting: browser.scripting,
    grantedOrigins: async () => (await browser.permissions.getAll()).origins ?? [],
    known: script.matches,
    script: script.js,
  });
  browser.permissions.onAdded.addListener(() => void sites.sync());
  browser.permissions.onRemoved.addListener(() => void sites.sync());
  browser.runtime.onInstalled.addListener(() => void sites.sync());
  void sites.sync();
  return sites;
}

// The configured host's block rule (the default host's is static): one dynamic rule,
// replaced whenever the settings change, and none while the host is the default.
export function setUpLinkHostRule(linkHost: () => Promise<string>): void {
  const dnr = browser.declarativeNetRequest;
  if (!dnr) return;
  let queue: Promise<void> = Promise.resolve();
  const sync = () => {
    queue = queue
      .then(async () => {
        const extra = linkHosts(await linkHost()).slice(1);
        await dnr.updateDynamicRules({ removeRuleIds: [LINK_HOST_RULE_ID], addRules: extra.map((h) => linkHostRule(h)) });
      })
      .catch((err: unknown) => console.warn('Copybara: updating the call link host rule failed', err));
  };
  browser.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && 'settings' in changes) sync();
  });
  sync();
}
