import { CALL_PORT, LINK_PORT, POPUP_PORT, type PopupRequest } from '../../lib/ext/messages';

// Who is talking to the background. Any page the browser shows can message an extension
// whose content script runs in it, and other extensions can try too, so every message and
// port is judged by its sender before anything reads it. Pure functions of the sender (as
// the browser reports it, which the page cannot forge) and our own identity.

export interface Sender {
  id?: string;
  url?: string;
  tab?: { id?: number };
}

export interface Own {
  extensionId: string;
  // runtime.getURL('/'): the prefix of our own pages, ending in '/'.
  extensionUrl: string;
}

export interface LinkOrigins extends Own {
  // Match patterns of the pages our content scripts run in: the manifest's messengers and
  // the sites the person opted in to.
  contentMatches: readonly string[];
}

export type OurPage = 'popup' | 'options' | 'call';

const PAGES: Record<string, OurPage> = { 'popup.html': 'popup', 'options.html': 'options', 'call.html': 'call' };

// Which of our own pages sent this; null for anything else (a web page, a content script,
// another extension, or a page of ours that talks to nobody).
export function ourPage(sender: Sender | undefined, own: Own): OurPage | null {
  if (!sender || sender.id !== own.extensionId) return null;
  const url = sender.url ?? '';
  if (!url.startsWith(own.extensionUrl)) return null;
  // The page's own path, without query or fragment: `call.html?call=…` is the call page,
  // `popup.html.evil` is not the popup.
  const path = url.slice(own.extensionUrl.length).split(/[?#]/, 1)[0] ?? '';
  return PAGES[path] ?? null;
}

// What each page may ask with runtime.sendMessage. The options page only has the
// publishing button (components/PublishButton.svelte), the site it publishes
// (entrypoints/options/PublishSite.svelte) and shows the node's networks (`view`); the call page
// talks over its port.
export function mayRequest(page: OurPage | null, type: PopupRequest['type']): boolean {
  if (page === 'popup') return true;
  return page === 'options' && (type === 'publish' || type === 'site' || type === 'view');
}

// Whether a sender may send popup requests at all, before its message is even decoded.
export function mayAskPopupRequests(page: OurPage | null): boolean {
  return page === 'popup' || page === 'options';
}

export type PortKind = 'popup' | 'call' | 'link';

// runtime.onConnect: which of our ports this is, or null (disconnect it). A port's name is
// chosen by whoever connects, so the name alone proves nothing.
export function portKind(name: string, sender: Sender | undefined, own: Own): PortKind | null {
  const page = ourPage(sender, own);
  if (name === POPUP_PORT && page === 'popup') return 'popup';
  if (name === CALL_PORT && page === 'call') return 'call';
  if (name === LINK_PORT && page === 'call') return 'link';
  return null;
}

// Link messages: `content`, a content script of ours in a messenger tab (or an opted-in
// site); `page`, our own call page (the preview's Answer); null: anyone else. Both need a
// tab: the answer is shown in it or next to it.
export function linkSenderKind(sender: Sender | undefined, own: LinkOrigins): 'content' | 'page' | null {
  if (!sender || sender.id !== own.extensionId || sender.tab?.id === undefined) return null;
  const url = sender.url ?? '';
  if (url.startsWith(own.extensionUrl)) return ourPage(sender, own) === 'call' ? 'page' : null;
  return own.contentMatches.some((m) => matchesPattern(url, m)) ? 'content' : null;
}

// The subset of match patterns the manifest uses: `https://host/*` (host may start with
// `*.`) and paths ending in `*`.
export function matchesPattern(url: string, pattern: string): boolean {
  const m = /^(https?|\*):\/\/([^/]+)(\/.*)$/.exec(pattern);
  if (!m) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const [, scheme, host, path] = m as unknown as [string, string, string, string];
  if (scheme === '*' ? u.protocol !== 'https:' && u.protocol !== 'http:' : u.protocol !== `${scheme}:`) return false;
  if (host.startsWith('*.') ? !(u.hostname === host.slice(2) || u.hostname.endsWith(host.slice(1))) : u.hostname !== host) return false;
  const full = u.pathname + u.search;
  return path.endsWith('*') ? full.startsWith(path.slice(0, -1)) : full === path;
}
