import { type OptInSite, type RegisteredSiteScript, siteScriptId, sitePlan, sitesFromGrants } from '../../lib/links/opt-in-sites';

// Call links on the sites the person opted in to (options page, "Recognise call links on
// other sites"). The options page asks the browser for the site's host permission; the
// granted permissions are the only record of which sites those are. This module keeps the
// run-time registered content scripts equal to them: at every start, at install, and when
// a permission is added or removed (also from the browser's own extension settings).

export interface SiteScript extends RegisteredSiteScript {
  matches: string[];
  js: string[];
  runAt: 'document_idle';
  persistAcrossSessions: boolean;
}

export interface ScriptingLike {
  getRegisteredContentScripts(): Promise<RegisteredSiteScript[]>;
  registerContentScripts(scripts: SiteScript[]): Promise<void>;
  unregisterContentScripts(filter: { ids: string[] }): Promise<void>;
}

export interface LinkSitesDeps {
  scripting: ScriptingLike | undefined; // undefined without the "scripting" permission
  grantedOrigins(): Promise<readonly string[]>; // permissions.getAll().origins
  known: readonly string[]; // the messengers' patterns (the manifest's content script)
  script: string; // the content script's file, e.g. content-scripts/messenger.js
  log?(message: string, err?: unknown): void;
}

export interface LinkSites {
  // Makes the registrations match the grants; calls are queued, never run side by side.
  sync(): Promise<void>;
  // The opt-in sites' match patterns, read from the grants now (for the sender check).
  matches(): Promise<string[]>;
}

export function createLinkSites(deps: LinkSitesDeps): LinkSites {
  const log = deps.log ?? ((message, err) => console.warn(`Copybara: ${message}`, err ?? ''));
  let queue: Promise<void> = Promise.resolve();

  async function granted(): Promise<OptInSite[]> {
    return sitesFromGrants(await deps.grantedOrigins(), deps.known);
  }

  async function syncOnce(): Promise<void> {
    const scripting = deps.scripting;
    if (!scripting) return;
    const plan = sitePlan(await granted(), await scripting.getRegisteredContentScripts());
    if (plan.unregister.length) await scripting.unregisterContentScripts({ ids: plan.unregister });
    // One at a time: a site whose registration fails must not keep the others out.
    for (const site of plan.register) {
      const script: SiteScript = {
        id: siteScriptId(site),
        matches: [site.pattern],
        js: [deps.script],
        runAt: 'document_idle',
        persistAcrossSessions: true,
      };
      await scripting
        .registerContentScripts([script])
        .catch((err: unknown) => log(`marking call links on ${site.origin} could not be turned on`, err));
    }
  }

  return {
    sync() {
      queue = queue.then(syncOnce).catch((err: unknown) => log('updating the sites where call links are marked failed', err));
      return queue;
    },
    async matches() {
      return (await granted()).map((s) => s.pattern);
    },
  };
}
