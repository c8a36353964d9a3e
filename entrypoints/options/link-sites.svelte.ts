import browser from 'webextension-polyfill';
import { type OptInSite, siteFromInput, sitesFromGrants } from '../../lib/links/opt-in-sites';

// "Recognise call links on other sites": the sites are the optional host permissions the
// browser granted (asked for here, one site at a time); the background registers the
// content script for each (entrypoints/background/link-sites.ts). Nothing is kept here.

const known = (browser.runtime.getManifest().content_scripts ?? []).flatMap((c) => c.matches ?? []);

function why(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class LinkSitesState {
  sites = $state<OptInSite[]>([]);
  input = $state('');
  error = $state<string | null>(null);
  done = $state<string | null>(null);
  busy = $state(false);

  start(): void {
    // Also changes made elsewhere (the browser's own extension settings).
    browser.permissions.onAdded.addListener(() => void this.refresh());
    browser.permissions.onRemoved.addListener(() => void this.refresh());
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.sites = sitesFromGrants((await browser.permissions.getAll()).origins ?? [], known);
    } catch (err) {
      this.error = `The sites could not be read (${why(err)}).`;
    }
  }

  // Must run straight from the click: the browser asks the person only during a user
  // gesture, so nothing may be awaited before permissions.request.
  add(): void {
    if (this.busy) return;
    const parsed = siteFromInput(this.input, known);
    this.done = null;
    if (!parsed.ok) {
      this.error = parsed.message;
      return;
    }
    const { site } = parsed;
    const host = new URL(site.origin).hostname;
    this.error = null;
    this.busy = true;
    browser.permissions
      .request({ origins: [site.pattern] })
      .then(
        async (granted) => {
          if (!granted) {
            this.error = `The browser did not allow Copybara to read ${host}, so call links there are not marked.`;
            return;
          }
          this.input = '';
          this.done = `Call links on ${host} are marked from now on; reload its open tabs.`;
          await this.refresh();
        },
        (err: unknown) => (this.error = `${host} could not be added (${why(err)}).`),
      )
      .finally(() => (this.busy = false));
  }

  async remove(site: OptInSite): Promise<void> {
    this.done = null;
    this.error = null;
    try {
      await browser.permissions.remove({ origins: [site.pattern] });
    } catch (err) {
      this.error = `${site.origin} could not be removed (${why(err)}).`;
    }
    await this.refresh();
  }
}

export const linkSitesState = new LinkSitesState();
