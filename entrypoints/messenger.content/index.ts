import { MatchPattern, defineContentScript } from '#imports';
import { configuredLinkHosts } from './link-hosts';
import { scanPage } from './scan-page';
import type { Site } from './site';
import { discord } from './sites/discord';
import { element } from './sites/element';
import { slack } from './sites/slack';
import { telegram } from './sites/telegram';
import { whatsapp } from './sites/whatsapp';

// Marks Copybara call links in web messengers (docs/links.md). The supported messengers,
// one module each: to add one, write sites/<id>.ts, list it here and describe it in
// docs/links.md; tests/entrypoints/messenger.content/sites.test.ts checks all three.
const SITES: readonly Site[] = [telegram, whatsapp, discord, element, slack];

// A site the person opted in to (the background registers this same script for it at run
// time): no known message list, so the whole page is read, with the scanner's usual bounds.
const OTHER_SITE: Site = { id: 'site', matches: [], messageRoot: (doc) => doc.body };

export default defineContentScript({
  matches: SITES.flatMap((s) => s.matches),
  runAt: 'document_idle',
  async main(ctx) {
    const site = SITES.find((s) => s.matches.some((m) => new MatchPattern(m).includes(location.href))) ?? OTHER_SITE;
    const hosts = await configuredLinkHosts();
    if (ctx.isInvalid) return;
    scanPage(ctx, { ...site, hosts });
    try {
      site.init?.(ctx);
    } catch (err) {
      console.error(`Copybara (${site.id}):`, err);
    }
  },
});
