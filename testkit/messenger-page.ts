// A Telegram-shaped message list holding one call link, served in place of web.telegram.org by
// the tests that answer links (in Chromium through Playwright's router, in Firefox through
// WebDriver BiDi's request interception): nothing leaves the machine.

export const MESSENGER = 'https://web.telegram.org/k/';

export function messengerWith(url: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Telegram Web</title></head><body>
<div id="column-center"><div class="chat active"><div class="bubbles-inner">
<div class="bubble is-in"><div class="message">Call me: <a href="${url}" target="_blank" rel="noopener">${url}</a></div></div>
</div></div></div></body></html>`;
}
