import type { Plugin } from 'vite';
import { defineConfig } from 'wxt';
import { EXTENSION_KEY, FIREFOX_EXTENSION_ID } from './lib/extension-key';
import { SITE_URL_PATTERNS } from './lib/ext/site-proxy';

// Every @polkadot package describes itself with `import.meta.url` (packageInfo.js). In the
// background's IIFE bundle Rollup rewrites `import.meta` to an object built from
// `document.currentScript … document.baseURI`,
// and a service worker has no `document`: the worker died on startup ("document is not
// defined") once name resolution (lib/names) was bundled into it. Outside a document, use
// the worker's own URL; pages keep `import.meta.url` as it was.
function serviceWorkerSafeImportMeta(): Plugin {
  return {
    name: 'copybara:service-worker-safe-import-meta',
    transform(code, id) {
      if (!id.includes('/node_modules/@polkadot/') || !code.includes('import.meta')) return null;
      const guarded = "(typeof document === 'undefined' ? self.location.href : import.meta.url)";
      const out = code.replaceAll('import.meta && import.meta.url', 'import.meta.url').split('import.meta.url').join(guarded);
      return { code: out, map: null };
    },
  };
}

// The manifest `key` pins the Chromium extension id, so the native host manifest's
// allowed_origins matches dev, test and release builds alike (Chromium derives an unpacked extension's id from its folder otherwise).
export default defineConfig({
  modules: ['@wxt-dev/module-svelte'],
  imports: false,
  vite: () => ({ plugins: [serviceWorkerSafeImportMeta()] }),
  manifest: ({ browser }) => ({
    name: 'Copybara',
    description: 'Peer-to-peer calls to node ids and AZERO.ID names, with no server in between.',
    permissions: [
      'nativeMessaging',
      'notifications',
      'storage',
      'contextMenus',
      'webNavigation',
      'declarativeNetRequest',
      'scripting',
      // Sends .azero, .a0 and .tzero hosts, and nothing else, to the node's site proxy (a PAC
      // script in Chromium, a proxy.onRequest listener in Firefox).
      'proxy',
    ],
    // `azero alice` in the address bar opens http://alice.azero/.
    omnibox: { keyword: 'azero' },
    // Asked for one site at a time, only when the person adds that site in the options
    // ("Recognise call links on other sites"); the messenger content script is then
    // registered for it at run time (entrypoints/background/link-sites.ts). Nothing is
    // granted at install.
    optional_host_permissions: ['https://*/*', 'http://*/*'],
    // Blocks every request for a call link's own address (https://copybara.network/call…;
    // a configured link host gets a dynamic rule of the same shape, lib/links/host.ts):
    // the link is opened in our call tab instead (entrypoints/background/links.ts), and
    // nothing about it leaves the browser. docs/links.md, "Navigation".
    declarative_net_request: {
      rule_resources: [{ id: 'call-links', enabled: true, path: 'rules/call-links.json' }],
    },
    ...(browser === 'firefox'
      ? {
          // Firefox's default for MV3 extension pages adds `upgrade-insecure-requests`, which
          // turns a ws:// name-service endpoint the person set (a chain node of their own on
          // 127.0.0.1) into wss:// that nothing answers; Chromium's default does not.
          // Firefox tells proxy.onRequest only about requests to hosts the extension may
          // access: the .azero, .a0 and .tzero sites, nothing else.
          host_permissions: [...SITE_URL_PATTERNS],
          content_security_policy: { extension_pages: "script-src 'self'; object-src 'self';" },
          browser_specific_settings: {
            gecko: { id: FIREFOX_EXTENSION_ID, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } },
          },
        }
      : { key: EXTENSION_KEY }),
    action: { default_title: 'Copybara' },
  }),
});
