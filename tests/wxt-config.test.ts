import { describe, expect, it } from 'vitest';
import { FIREFOX_EXTENSION_ID } from '../lib/extension-key';
import wxtConfig from '../wxt.config';

// The manifest each browser's build gets (wxt.config.ts).

type Manifest = {
  key?: string;
  host_permissions?: string[];
  content_security_policy?: { extension_pages?: string };
  browser_specific_settings?: { gecko?: { id?: string } };
};

async function manifestFor(browser: string): Promise<Manifest> {
  const make = wxtConfig.manifest as (env: { browser: string; manifestVersion: number; mode: string; command: string }) => unknown;
  return (await make({ browser, manifestVersion: 3, mode: 'production', command: 'build' })) as Manifest;
}

describe('the manifest per browser', () => {
  it('Firefox: the pinned add-on id, and extension pages that may reach a ws:// endpoint on 127.0.0.1', async () => {
    const m = await manifestFor('firefox');
    expect(m.browser_specific_settings?.gecko?.id).toBe(FIREFOX_EXTENSION_ID);
    expect(m.key).toBeUndefined();
    const csp = m.content_security_policy?.extension_pages ?? '';
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).not.toMatch(/upgrade-insecure-requests|unsafe-eval|unsafe-inline/);
  });

  it('Firefox: host access to the site names only, for proxy.onRequest', async () => {
    const m = await manifestFor('firefox');
    expect(m.host_permissions).toEqual(['*://*.azero/*', '*://*.a0/*', '*://*.tzero/*']);
  });

  it('Chromium: the key that pins its id, and its own default CSP', async () => {
    const m = await manifestFor('chrome');
    expect(m.key).toMatch(/^MII/);
    expect(m.browser_specific_settings).toBeUndefined();
    expect(m.content_security_policy).toBeUndefined();
    expect(m.host_permissions).toBeUndefined();
  });
});
