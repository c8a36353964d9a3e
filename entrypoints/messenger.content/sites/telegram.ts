import { type Site, firstOf } from '../site';

// Telegram Web, both clients: K (/k/, bubbles) and A (/a/, React). Each keeps the open
// chat's messages in one scroller; K may keep other chats' bubbles around, inactive.
export const telegram: Site = {
  id: 'telegram',
  matches: ['https://web.telegram.org/*'],
  messageRoot: (doc) =>
    firstOf(doc, [
      '#column-center .chat.active .bubbles-inner', // K
      '#column-center .bubbles-inner',
      '#MiddleColumn .MessageList', // A
      '.MessageList',
    ]),
};

// Test URLs:
// https://web.telegram.org/k/#@durov
// https://web.telegram.org/a/#777000
