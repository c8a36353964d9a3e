import browser from 'webextension-polyfill';
import { type LinkMessage, linkMessage } from '../../lib/links/scan';

// The content script's only line out of the page: runtime.sendMessage to our own
// background, with a message checked to carry nothing but link text (lib/links/scan.ts).
export function send(message: LinkMessage): Promise<unknown> {
  return browser.runtime.sendMessage(linkMessage(message));
}
