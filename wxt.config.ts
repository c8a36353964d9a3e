import { defineConfig } from 'wxt';
import { EXTENSION_KEY, FIREFOX_EXTENSION_ID } from './lib/extension-key';

// The manifest `key` pins the Chromium extension id, so the native host manifest's
// allowed_origins matches dev, test and release builds alike (DESIGN §7).
export default defineConfig({
  modules: ['@wxt-dev/module-svelte'],
  imports: false,
  manifest: ({ browser }) => ({
    name: 'Copybara',
    description: 'Peer-to-peer calls to node ids and AZERO.ID names, with no server in between.',
    permissions: ['nativeMessaging', 'notifications', 'storage', 'tabs'],
    ...(browser === 'firefox'
      ? {
          browser_specific_settings: {
            gecko: { id: FIREFOX_EXTENSION_ID, strict_min_version: '142.0', data_collection_permissions: { required: ['none'] } },
          },
        }
      : { key: EXTENSION_KEY }),
    action: { default_title: 'Copybara' },
  }),
});
