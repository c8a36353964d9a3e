import type { PublishStarted } from '../../lib/ext/messages';
import type { Settings } from '../../lib/ext/settings';
import type { PublishOpened } from '../../lib/protocol/native';

// "Publish my node id…": the node starts its publishing page (native-host/node/publish) with a
// fresh secret and we open it in a tab. The page runs on 127.0.0.1 because wallets inject
// themselves only into http(s) pages, never into ours. router.ts delegates here.

export interface PublishSurface {
  // Opens a web page (not one of ours) in a new tab.
  openWebPage(url: string): Promise<void>;
}

export interface PublishDeps {
  request(req: { type: 'publish-open'; endpoints: Settings['endpoints']; name?: string }): Promise<PublishOpened>;
  settings(): Promise<Settings>;
  surface: PublishSurface;
}

export function createPublishFlow(deps: PublishDeps) {
  return {
    // The asking page learns only when the page stops working: the URL, which carries the
    // secret, goes to the new tab alone.
    async open(): Promise<PublishStarted> {
      const { endpoints, myName } = await deps.settings();
      const opened = await deps.request({ type: 'publish-open', endpoints, ...(myName ? { name: myName } : {}) });
      await deps.surface.openWebPage(opened.url);
      return { expiresAt: opened.expiresAt };
    },
  };
}

export type PublishFlow = ReturnType<typeof createPublishFlow>;
