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
