import browser from 'webextension-polyfill';
import { pacScript, proxyStanding } from '../../lib/ext/site-proxy';
import { warnFailed } from './log';

// Points Chromium's proxy setting at the node's site proxy (lib/ext/site-proxy.ts) whenever the
// node reports its port. Only one extension controls the proxy: when another one does, nothing
// is changed here and the popup says so. Firefox routes by proxy.onRequest, not done yet: its
// visits to .azero sites are not routed.

let applied: number | null = null;

export function applySiteProxy(port: number): void {
  if (port === applied) return;
  void (async () => {
    const settings = browser.proxy?.settings;
    // Firefox has proxy.onRequest and its own ProxyConfig; see above.
    if (!settings || browser.proxy.onRequest) return;
    const { levelOfControl } = await settings.get({});
    const standing = proxyStanding(levelOfControl);
    if (standing !== 'ours' && standing !== 'available') return;
    await settings.set({ value: { mode: 'pac_script', pacScript: { data: pacScript(port), mandatory: true } }, scope: 'regular' });
    applied = port;
  })().catch(warnFailed('routing .azero sites to the node'));
}
