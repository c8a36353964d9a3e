import { type Site, firstOf } from '../site';

// WhatsApp Web: the conversation panel (#main) holds the message list, the chat list is in
// #pane-side and the composer in #main footer (contenteditable, never scanned anyway).
export const whatsapp: Site = {
  id: 'whatsapp',
  matches: ['https://web.whatsapp.com/*'],
  messageRoot: (doc) => firstOf(doc, ['#main [role="application"]', '#main .copyable-area']),
};

// Test URLs:
// https://web.whatsapp.com/
