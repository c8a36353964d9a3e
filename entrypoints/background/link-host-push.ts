import browser from 'webextension-polyfill';
import { linkHostsUpdate } from '../../lib/ext/link-hosts-message';
import { SETTINGS_KEY } from '../../lib/ext/settings';
import { storedLinkHost } from '../../lib/links/host';
import { warnFailed } from './log';

// Messenger scripts cannot read storage (index.ts closes it to trusted contexts), so when
// the call link host changes in the options, the background tells every open tab. Tab ids
// come from tabs.query without any permission (no URLs needed), and tabs.sendMessage only
// reaches our own content scripts: a tab without one refuses, which is expected and
// ignored. Scripts started later ask by themselves (router.ts answers 'link-hosts').
export function setUpLinkHostPush(linkHost: () => Promise<string>): void {
  browser.storage.onChanged.addListener((changes, area) => {
    const change = changes[SETTINGS_KEY];
    if (area !== 'local' || !change) return;
    if (storedLinkHost(change.oldValue) === storedLinkHost(change.newValue)) return;
    void pushLinkHosts(linkHost).catch(warnFailed('telling open tabs the call link host'));
  });
}

async function pushLinkHosts(linkHost: () => Promise<string>): Promise<void> {
  const update = linkHostsUpdate(await linkHost());
  const tabs = await browser.tabs.query({});
  const ids = tabs.flatMap((tab) => (tab.id === undefined ? [] : [tab.id]));
  await Promise.all(ids.map((id) => browser.tabs.sendMessage(id, update).catch(() => null)));
}
