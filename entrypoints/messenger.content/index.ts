import { MatchPattern, defineContentScript } from '#imports';
import { scanPage } from './scan-page';
import type { Site } from './site';
import { discord } from './sites/discord';
import { element } from './sites/element';
import { slack } from './sites/slack';
import { telegram } from './sites/telegram';
import { whatsapp } from './sites/whatsapp';

// Marks Copybara call links in web messengers (docs/links.md). The supported messengers,
// one module each: to add one, write sites/<id>.ts, list it here and describe it in
// docs/links.md; tests/unit/links/sites.test.ts checks all three.
const SITES: readonly Site[] = [telegram, whatsapp, discord, element, slack];

export default defineContentScript({
  matches: SITES.flatMap((s) => s.matches),
  runAt: 'document_idle',
  main(ctx) {
    const site = SITES.find((s) => s.matches.some((m) => new MatchPattern(m).includes(location.href)));
    if (!site) return;
    scanPage(ctx, site);
    try {
      site.init?.(ctx);
    } catch (err) {
      console.error(`Copybara (${site.id}):`, err);
    }
  },
});
