import browser from 'webextension-polyfill';
import { localArea, onLocalChange } from '../../lib/browser/local-storage';
import {
  SITE_SEARCH_KEY,
  SITE_SEARCH_RULE_IDS,
  searchBlockRules,
  searchNavigationFilters,
  searchDecision,
  siteSearchOn,
} from '../../lib/ext/site-search';
import { warnFailed } from './log';

// The browser side of "open bare names as sites" (the decisions are lib/ext/site-search.ts).
// On: a block rule per search engine stops a search for a name-shaped text before it is
// sent, and the blocked navigation's error opens http://NAME/ in the same tab (or, for a
// text the name codec refuses, the same search in a form the rules let through). Off: no rule,
// so no search is stopped and nothing reaches the listener but a search that failed by
// itself, which it leaves alone.

async function isOn(): Promise<boolean> {
  return siteSearchOn(await localArea().get(SITE_SEARCH_KEY));
}

// Listeners at the worker's first turn (index.ts), so a blocked search wakes it.
export function setUpSiteSearch(): void {
  const dnr = browser.declarativeNetRequest;
  const nav = browser.webNavigation;
  if (!dnr || !nav) return;
  let queue: Promise<void> = Promise.resolve();
  const sync = () => {
    queue = queue
      .then(async () => {
        const addRules = (await isOn()) ? searchBlockRules() : [];
        await dnr.updateDynamicRules({ removeRuleIds: [...SITE_SEARCH_RULE_IDS], addRules });
      })
      .catch(warnFailed('updating the bare-name search rules'));
  };
  nav.onErrorOccurred.addListener(
    (d) => {
      if (d.frameId !== 0) return;
      const decision = searchDecision(d.url);
      if (decision === null) return;
      const url = 'site' in decision ? decision.site : decision.search;
      void isOn()
        .then((on) => (on ? browser.tabs.update(d.tabId, { url }).then(() => undefined) : undefined))
        .catch(warnFailed('opening a searched-for site'));
    },
    { url: searchNavigationFilters() },
  );
  onLocalChange([SITE_SEARCH_KEY], sync);
  browser.runtime.onInstalled.addListener(sync);
  sync();
}
