import { describe, expect, it } from 'vitest';
import {
  linkSenderKind,
  matchesPattern,
  mayAskPopupRequests,
  mayRequest,
  ourPage,
  portKind,
} from '../../../entrypoints/background/senders';

// Who may talk to the background (entrypoints/background/senders.ts), against hostile
// senders: other extensions, foreign pages, look-alike addresses, senders without a tab.

const EXT = 'chrome-extension://abc/';
const OWN = { extensionId: 'abc', extensionUrl: EXT };
const LINKS = { ...OWN, contentMatches: ['https://web.telegram.org/*', 'https://app.slack.com/*'] };

describe('our own pages', () => {
  it('knows the popup, the options page and the call page, with or without a query', () => {
    expect(ourPage({ id: 'abc', url: `${EXT}popup.html` }, OWN)).toBe('popup');
    expect(ourPage({ id: 'abc', url: `${EXT}options.html#x` }, OWN)).toBe('options');
    expect(ourPage({ id: 'abc', url: `${EXT}call.html?call=00ff`, tab: { id: 3 } }, OWN)).toBe('call');
  });

  it('refuses other extensions, web pages, and look-alike addresses', () => {
    expect(ourPage(undefined, OWN)).toBeNull();
    expect(ourPage({ url: `${EXT}popup.html` }, OWN)).toBeNull(); // no id: not an extension
    expect(ourPage({ id: 'evil', url: `${EXT}popup.html` }, OWN)).toBeNull();
    expect(ourPage({ id: 'abc' }, OWN)).toBeNull(); // a content script's sender can lack a url
    expect(ourPage({ id: 'abc', url: 'https://evil.example/popup.html' }, OWN)).toBeNull();
    expect(ourPage({ id: 'abc', url: 'chrome-extension://abcd/popup.html' }, OWN)).toBeNull();
    expect(ourPage({ id: 'abc', url: `https://evil.example/?${EXT}popup.html` }, OWN)).toBeNull();
    expect(ourPage({ id: 'abc', url: `${EXT}popup.html.evil` }, OWN)).toBeNull();
    expect(ourPage({ id: 'abc', url: `${EXT}sub/popup.html` }, OWN)).toBeNull();
    expect(ourPage({ id: 'abc', url: EXT }, OWN)).toBeNull();
  });
});

describe('popup requests', () => {
  it('come from the popup, and from the options page only to publish (a node id, or a site) and to read the view', () => {
    expect(mayAskPopupRequests('popup')).toBe(true);
    expect(mayAskPopupRequests('options')).toBe(true);
    expect(mayAskPopupRequests('call')).toBe(false);
    expect(mayAskPopupRequests(null)).toBe(false);
    expect(mayRequest('popup', 'call')).toBe(true);
    expect(mayRequest('popup', 'publish')).toBe(true);
    expect(mayRequest('options', 'publish')).toBe(true);
    expect(mayRequest('options', 'site')).toBe(true);
    expect(mayRequest('call', 'site')).toBe(false);
    expect(mayRequest('options', 'call')).toBe(false);
    expect(mayRequest('options', 'view')).toBe(true); // the Network section shows the node's networks
    expect(mayRequest('options', 'resolve')).toBe(false);
    expect(mayRequest('call', 'publish')).toBe(false);
    expect(mayRequest(null, 'view')).toBe(false);
  });
});

describe('ports', () => {
  it('are accepted by name from the page that owns that name only', () => {
    const popup = { id: 'abc', url: `${EXT}popup.html` };
    const call = { id: 'abc', url: `${EXT}call.html?call=00ff`, tab: { id: 3 } };
    expect(portKind('popup', popup, OWN)).toBe('popup');
    expect(portKind('call', call, OWN)).toBe('call');
    expect(portKind('link', { ...call, url: `${EXT}call.html?link=aa` }, OWN)).toBe('link');
    // The right name from the wrong page, or the wrong sender.
    expect(portKind('call', popup, OWN)).toBeNull();
    expect(portKind('popup', call, OWN)).toBeNull();
    expect(portKind('link', popup, OWN)).toBeNull();
    expect(portKind('call', { id: 'abc', url: 'https://example.com/' }, OWN)).toBeNull();
    expect(portKind('popup', { id: 'evil', url: `${EXT}popup.html` }, OWN)).toBeNull();
    expect(portKind('other', popup, OWN)).toBeNull();
    expect(portKind('popup', undefined, OWN)).toBeNull();
  });
});

describe('who may send link messages', () => {
  it('accepts content scripts in messenger tabs and our call page, nobody else', () => {
    expect(linkSenderKind({ id: 'abc', url: 'https://web.telegram.org/k/#@bob', tab: { id: 3 } }, LINKS)).toBe('content');
    expect(linkSenderKind({ id: 'abc', url: `${EXT}call.html?preview=x`, tab: { id: 3 } }, LINKS)).toBe('page');
    // Another site, another extension, no tab (an extension page without one), our popup.
    expect(linkSenderKind({ id: 'abc', url: 'https://evil.example/', tab: { id: 3 } }, LINKS)).toBeNull();
    expect(linkSenderKind({ id: 'other', url: 'https://web.telegram.org/k/', tab: { id: 3 } }, LINKS)).toBeNull();
    expect(linkSenderKind({ id: 'abc', url: 'https://web.telegram.org/k/' }, LINKS)).toBeNull();
    expect(linkSenderKind({ id: 'abc', url: `${EXT}popup.html`, tab: { id: 3 } }, LINKS)).toBeNull();
    expect(linkSenderKind(undefined, LINKS)).toBeNull();
  });

  it('refuses look-alike hosts, other schemes and a missing tab id', () => {
    expect(linkSenderKind({ id: 'abc', url: 'https://web.telegram.org.evil.example/k/', tab: { id: 3 } }, LINKS)).toBeNull();
    expect(linkSenderKind({ id: 'abc', url: 'https://evil.example/?https://web.telegram.org/', tab: { id: 3 } }, LINKS)).toBeNull();
    expect(linkSenderKind({ id: 'abc', url: 'http://web.telegram.org/k/', tab: { id: 3 } }, LINKS)).toBeNull();
    expect(linkSenderKind({ id: 'abc', url: 'https://web.telegram.org/k/', tab: {} }, LINKS)).toBeNull();
    expect(linkSenderKind({ id: 'abc', tab: { id: 3 } }, LINKS)).toBeNull();
    // Our own pages other than the call page are not link senders, whatever they match.
    expect(linkSenderKind({ id: 'abc', url: `${EXT}options.html`, tab: { id: 3 } }, { ...LINKS, contentMatches: ['*://*/*'] })).toBeNull();
    expect(linkSenderKind({ id: 'abc', url: `${EXT}call.html.evil`, tab: { id: 3 } }, LINKS)).toBeNull();
  });

  it('accepts the sites the person opted in to, by their patterns', () => {
    const sites = { ...LINKS, contentMatches: [...LINKS.contentMatches, 'http://127.0.0.1/*'] };
    expect(linkSenderKind({ id: 'abc', url: 'http://127.0.0.1/chat', tab: { id: 4 } }, sites)).toBe('content');
    expect(linkSenderKind({ id: 'abc', url: 'http://127.0.0.2/chat', tab: { id: 4 } }, sites)).toBeNull();
  });

  it('matches the manifest patterns by host exactly', () => {
    expect(matchesPattern('https://web.telegram.org/a/', 'https://web.telegram.org/*')).toBe(true);
    expect(matchesPattern('https://web.telegram.org.evil.example/', 'https://web.telegram.org/*')).toBe(false);
    expect(matchesPattern('http://web.telegram.org/', 'https://web.telegram.org/*')).toBe(false);
    expect(matchesPattern('https://x.slack.com/', 'https://*.slack.com/*')).toBe(true);
    expect(matchesPattern('https://slack.com/', 'https://*.slack.com/*')).toBe(true);
    expect(matchesPattern('https://evilslack.com/', 'https://*.slack.com/*')).toBe(false);
    expect(matchesPattern('https://user@web.telegram.org.evil.example/', 'https://web.telegram.org/*')).toBe(false);
    expect(matchesPattern('https://app.slack.com/client', 'https://app.slack.com/client')).toBe(true);
    expect(matchesPattern('https://app.slack.com/clientx', 'https://app.slack.com/client')).toBe(false);
    expect(matchesPattern('not a url', 'https://web.telegram.org/*')).toBe(false);
    expect(matchesPattern('https://web.telegram.org/', 'not a pattern')).toBe(false);
  });
});
