import { type Site, firstOf } from '../site';

// Slack: the channel's message pane is a virtual list; links may come wrapped as
// https://slack-redir.net/link?url=…, which payloadInHref unwraps.
export const slack: Site = {
  id: 'slack',
  matches: ['https://app.slack.com/*'],
  messageRoot: (doc) => firstOf(doc, ['.p-message_pane .c-virtual_list__scroll_container', '.p-message_pane', '[data-qa="message_pane"]']),
};

// Test URLs:
// https://app.slack.com/client/T00000000/C00000000
