import { type Site, firstOf } from '../site';

// Discord: the channel's messages are one <ol data-list-id="chat-messages">; class names
// carry build hashes (message_3a1b2c), so only stable attributes are used.
export const discord: Site = {
  id: 'discord',
  matches: ['https://discord.com/*'],
  messageRoot: (doc) => firstOf(doc, ['ol[data-list-id="chat-messages"]', 'main[class*="chatContent"]']),
};

// Test URLs:
// https://discord.com/channels/@me/1
// https://discord.com/channels/1/2
