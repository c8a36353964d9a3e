import browser from 'webextension-polyfill';
import { parseProxyServer } from '../../lib/ext/proxy-server';
import { pacScript, proxyStanding } from '../../lib/ext/site-proxy';
import { warnFailed } from './log';

// Points Chromium's proxy setting at the node's site proxy (lib/ext/site-proxy.ts) whenever the
// node reports its port, and again when the person changes the proxy their network needs for
// other sites (the PAC script replaces the browser's own proxy settings). Only one extension
// controls the proxy: when another one does, nothing is changed here and the popup says so.
// Firefox routes by proxy.onRequest, not done yet: its visits to .azero sites are not routed.

let port: number | null = null;
let applied: string | null = null;
let otherProxy: () => Promise<string | null> = () => Promise.resolve(null);

// Where the background reads the saved "Proxy for other sites" (set up once, in index.ts).
export function readOtherSitesProxyFrom(read: () => Promise<string | null>): void {
  otherProxy = read;
}

export function applySiteProxy(nodePort: number): void {
  port = nodePort;
  refreshSiteProxy();
}

export function refreshSiteProxy(): void {
  if (port === null) return;
  const nodePort = port;
  void (async () => {
    const settings = browser.proxy?.settings;
    // Firefox has proxy.onRequest and its own ProxyConfig; see above.
    if (!settings || browser.proxy.onRequest) return;
    const saved = parseProxyServer((await otherProxy()) ?? '');
    const script = pacScript(nodePort, saved.ok ? saved.server : null);
    if (script === applied) return;
    const { levelOfControl } = await settings.get({});
    const standing = proxyStanding(levelOfControl);
    if (standing !== 'ours' && standing !== 'available') return;
    await settings.set({ value: { mode: 'pac_script', pacScript: { data: script, mandatory: true } }, scope: 'regular' });
    applied = script;
  })().catch(warnFailed('routing .azero sites to the node'));
}
