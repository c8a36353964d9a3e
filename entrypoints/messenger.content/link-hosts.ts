import browser from 'webextension-polyfill';
import { linkHosts, storedLinkHost } from '../../lib/links/host';
import { DEFAULT_LINK_HOST } from '../../lib/links/link';

// The hosts whose call link addresses this page's script recognises: the default and the
// one configured in the options. Read from the extension's own storage (which no page can
// write), checked again here, and bounded: a storage that does not answer within
// `timeoutMs` leaves the default host only.
export async function configuredLinkHosts(timeoutMs = 1000): Promise<string[]> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<string>((resolve) => (timer = setTimeout(() => resolve(DEFAULT_LINK_HOST), timeoutMs)));
  try {
    // 'settings' is SETTINGS_KEY (lib/ext/settings.ts), not imported: that module would
    // bring the name-service code into every page's script.
    const stored = browser.storage.local.get('settings').then((got) => storedLinkHost(got.settings));
    return linkHosts(await Promise.race([stored, timeout]));
  } catch {
    return linkHosts(null);
  } finally {
    clearTimeout(timer);
  }
}
