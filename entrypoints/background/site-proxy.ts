import browser, { type DeclarativeNetRequest } from 'webextension-polyfill';
import { SITE_ROUTING } from '../../lib/ext/browser-features';
import { parseProxyServer } from '../../lib/ext/proxy-server';
import {
  ROUTING_ERROR_KEY,
  SITE_GUARD_RULE_ID,
  siteGuardRule,
  SITE_URL_PATTERNS,
  type SiteProxyInfo,
  pacScript,
  proxyStanding,
  siteRequestProxy,
} from '../../lib/ext/site-proxy';
import { warnFailed } from './log';

// Routes .azero, .a0 and .tzero sites to the node's site proxy whenever the node reports its
// port (lib/ext/site-proxy.ts decides; lib/ext/browser-features.ts says which way):
// - Chromium: a PAC script in the proxy setting, set again when the person changes the proxy
//   their network needs for other sites (the script replaces the browser's own proxy
//   settings). Only one extension controls it: when another one does, nothing is changed here
//   and the popup says so.
// - Firefox: a proxy.onRequest listener for those addresses only; every other request never
//   reaches it, and the person's own proxy settings stay in force for them.

// Where the last known port is kept, so an event page Firefox woke for a site request still
// knows it (storage.session lives until the browser closes).
const PORT_KEY = 'siteProxyPort';
// How long a site request waits for a just-woken background to hear the node's port.
const PORT_WAIT_MS = 5_000;

// The node's proxy port, once heard; and (Chromium) the PAC script last set.
let applied: number | null = null;
let appliedScript: string | null = null;
let portKnown: (port: number) => void = () => {};
const nextPort: Promise<number> = new Promise((resolve) => (portKnown = resolve));
let otherProxy: () => Promise<string | null> = () => Promise.resolve(null);

// Where the background reads the saved "Proxy for other sites" (set up once, in index.ts).
export function readOtherSitesProxyFrom(read: () => Promise<string | null>): void {
  otherProxy = read;
}

export function applySiteProxy(port: number): void {
  if (SITE_ROUTING === 'request-listener') {
    if (port === applied) return;
    applied = port;
    portKnown(port);
    browser.storage.session.set({ [PORT_KEY]: port }).catch(warnFailed('keeping the site proxy port'));
    return;
  }
  applied = port;
  refreshSiteProxy();
}

// Chromium: sets the PAC script for the port heard and the saved proxy for other sites, when
// either changed.
export function refreshSiteProxy(): void {
  if (SITE_ROUTING !== 'pac-script' || applied === null) return;
  const nodePort = applied;
  void (async () => {
    const settings = browser.proxy?.settings;
    if (!settings) return;
    const saved = parseProxyServer((await otherProxy()) ?? '');
    const script = pacScript(nodePort, saved.ok ? saved.server : null);
    if (script === appliedScript) return;
    const { levelOfControl } = await settings.get({});
    const standing = proxyStanding(levelOfControl);
    if (standing !== 'ours' && standing !== 'available') return;
    await settings.set({ value: { mode: 'pac_script', pacScript: { data: script, mandatory: true } }, scope: 'regular' });
    appliedScript = script;
  })().catch(warnFailed('routing .azero sites to the node'));
}

async function currentPort(): Promise<number | null> {
  if (applied !== null) return applied;
  const stored = (await browser.storage.session.get(PORT_KEY).catch((): Record<string, unknown> => ({})))[PORT_KEY];
  if (typeof stored === 'number') return stored;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), PORT_WAIT_MS)));
  const port = await Promise.race([nextPort, late]);
  clearTimeout(timer);
  return port;
}

// Registered at the worker's first turn (index.ts), so Firefox wakes the event page for a
// site request. Chromium needs nothing here: its PAC script is a setting, not a listener.
export function setUpSiteRouting(): void {
  if (SITE_ROUTING !== 'request-listener' || !browser.proxy?.onRequest) return;
  const answer = async (details: { url: string }): Promise<SiteProxyInfo | undefined> => siteRequestProxy(details.url, await currentPort());
  // The listener returns a promise of the proxy to use (the polyfill's types say void).
  browser.proxy.onRequest.addListener(answer, { urls: [...SITE_URL_PATTERNS] });
  const guard = () =>
    void (async () => {
      const routable = await browser.permissions.contains({ origins: [...SITE_URL_PATTERNS] });
      await browser.declarativeNetRequest.updateDynamicRules({
        removeRuleIds: [SITE_GUARD_RULE_ID],
        // The polyfill's rule type lists fewer resource types than Firefox knows.
        addRules: routable ? [] : [siteGuardRule() as unknown as DeclarativeNetRequest.Rule],
      });
    })().catch(warnFailed('guarding .azero sites'));
  browser.permissions.onAdded.addListener(guard);
  browser.permissions.onRemoved.addListener(guard);
  guard();
  browser.proxy.onError.addListener((error) => {
    const message = typeof error.message === 'string' ? error.message : JSON.stringify(error);
    console.warn('Copybara: routing .azero sites failed', message);
    browser.storage.session.set({ [ROUTING_ERROR_KEY]: message }).catch(warnFailed('noting a site routing error'));
  });
}
