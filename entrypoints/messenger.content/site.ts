import type { ContentScriptContext } from 'wxt/utils/content-script-context';

// One supported messenger (sites/<id>.ts, registered in index.ts). Reads only: where its
// messages live, so links in chat lists, composers and menus are left alone.
export interface Site {
  id: string;
  matches: string[]; // match patterns, added to the content script's manifest entry
  // The element holding the open conversation's messages, or null while none is open.
  // Asked again on every scan slice, so switching chats needs nothing from the site.
  messageRoot(doc: Document): Element | null;
  // Anything else the site needs; tie every listener to `ctx` (ctx.addEventListener).
  init?(ctx: ContentScriptContext): void;
}

// The first of `selectors` present in the page.
export function firstOf(doc: Document, selectors: readonly string[]): Element | null {
  for (const s of selectors) {
    const el = doc.querySelector(s);
    if (el) return el;
  }
  return null;
}
