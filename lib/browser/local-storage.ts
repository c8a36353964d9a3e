import browser from 'webextension-polyfill';
import type { KeyValueArea } from '../ext/storage';

// storage.local as a KeyValueArea: the only module that touches browser.storage.

export function localArea(): KeyValueArea {
  return {
    async get(key) {
      const got = await browser.storage.local.get(key);
      return got[key];
    },
    async set(key, value) {
      await browser.storage.local.set({ [key]: value });
    },
  };
}

// Calls `cb` when one of `keys` changes in storage.local (from any page of ours);
// returns a function that stops listening.
export function onLocalChange(keys: string[], cb: () => void): () => void {
  const listener = (changes: Record<string, unknown>, area: string) => {
    if (area === 'local' && keys.some((k) => k in changes)) cb();
  };
  browser.storage.onChanged.addListener(listener);
  return () => browser.storage.onChanged.removeListener(listener);
}

type AccessLevel = 'TRUSTED_CONTEXTS' | 'TRUSTED_AND_UNTRUSTED_CONTEXTS';
interface AccessLevelArea {
  setAccessLevel?(options: { accessLevel: AccessLevel }): Promise<void>;
}

// Content scripts run inside web pages; one that a page subverted must not read or change
// the contacts, the settings (endpoints, allowMismatchedNames) or the name cache. Chromium
// lets an extension close storage.local to them (they get an error instead); the
// messenger script asks the background for the one setting it needs. Firefox has no such
// switch for storage.local (webextension-polyfill passes the call through where it exists,
// and lacks only its type), so there the content script's reach stays as before.
export async function restrictLocalStorageToTrustedContexts(): Promise<boolean> {
  const local = browser.storage.local as typeof browser.storage.local & AccessLevelArea;
  if (typeof local.setAccessLevel !== 'function') return false;
  await local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });
  return true;
}
