import browser from 'webextension-polyfill';
import { decodeLinkHostsReply, decodeLinkHostsUpdate, linkHostsRequest } from '../../lib/ext/link-hosts-message';
import { DEFAULT_LINK_HOST } from '../../lib/links/link';

// The hosts whose call link addresses this page's script recognises: the default and the
// one configured in the options. Storage is open to the extension's own pages only, so the
// background is asked, and it tells open tabs again when the setting changes
// (lib/ext/link-hosts-message.ts; both directions decoded strictly).
//
// Returns within `timeoutMs` (the default host alone if the background has not answered by
// then, e.g. while its worker starts). The array returned is the one the scanner reads: a
// late answer or a later change is written into it in place, so messages arriving after
// that are checked against the new hosts.
export async function configuredLinkHosts(timeoutMs = 1000): Promise<string[]> {
  const hosts = [DEFAULT_LINK_HOST];
  let pushed = false;
  const set = (next: readonly string[]): void => void hosts.splice(0, hosts.length, ...next);
  browser.runtime.onMessage.addListener((message: unknown, sender: { id?: string; tab?: unknown }) => {
    // Only our background (no tab) speaks to this script by runtime messaging.
    if (sender.id !== browser.runtime.id || sender.tab !== undefined) return;
    try {
      set(decodeLinkHostsUpdate(message).hosts);
      pushed = true;
    } catch (err) {
      console.warn('Copybara: ignoring a malformed link hosts update', err);
    }
  });
  const asked = browser.runtime
    .sendMessage(linkHostsRequest())
    .then((reply: unknown) => {
      // A change pushed while the question was on its way is newer than this answer.
      if (!pushed) set(decodeLinkHostsReply(reply).hosts);
    })
    .catch((err: unknown) => console.warn('Copybara: the call link hosts could not be read; recognising the default host only', err));
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([asked, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
  return hosts;
}
