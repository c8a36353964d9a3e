import type { UnreachableWhy } from '../network/connect-failure';

// The pages the proxy answers with itself when it cannot show a site: a readable explanation
// instead of a browser error, saying what happened and what the visitor can do. Each is a
// whole HTTP response that closes the connection.

export interface Problem {
  status: number;
  title: string;
  // What happened, and what to do about it: one sentence each.
  what: string;
  todo: string;
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  431: 'Request Header Fields Too Large',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

export function problemResponse(p: Problem): Buffer {
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(p.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em;color:#222}h1{font-size:1.4em}.by{color:#666;font-size:.9em}</style>
</head>
<body>
<main>
<h1>${escapeHtml(p.title)}</h1>
<p>${escapeHtml(p.what)}</p>
<p>${escapeHtml(p.todo)}</p>
<p class="by">Shown by your Copybara node, which carries .azero, .a0 and .tzero sites.</p>
</main>
</body>
</html>
`;
  const body = Buffer.from(html, 'utf8');
  const head = [
    `HTTP/1.1 ${p.status} ${REASONS[p.status] ?? 'Error'}`,
    'Content-Type: text/html; charset=utf-8',
    `Content-Length: ${body.length}`,
    'Cache-Control: no-store',
    "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'",
    'X-Copybara-Problem: 1',
    'Connection: close',
  ];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export const badRequest = (why: string, status = 400): Problem => ({
  status,
  title: 'The browser sent a request Copybara cannot read',
  what: `The request was refused: ${why}.`,
  todo: 'Reload the page; if this keeps happening, the address may be malformed.',
});

export const notASiteHost = (host: string): Problem => ({
  status: 403,
  title: `${host} is not a Copybara address`,
  what: `This proxy only carries .azero, .a0 and .tzero names; ${host} was not forwarded anywhere.`,
  todo: 'Your browser should send only those names here; check its proxy settings.',
});

export const notAName = (host: string, why: string): Problem => ({
  status: 400,
  title: `${host} is not a name Copybara can look up`,
  what: why,
  todo: 'Check the address: a name is one word before .azero, .a0 or .tzero, like alice.azero.',
});

export const noNodeId = (name: string, why: string): Problem => ({
  status: 404,
  title: `${name} does not point to a Copybara node`,
  what: why,
  todo: `If ${name} is yours, publish your node id to it from the Copybara popup; otherwise check the spelling.`,
});

export const lookupFailed = (name: string, why: string): Problem => ({
  status: 502,
  title: `${name} could not be looked up`,
  what: why,
  todo: 'Check your connection and try again in a moment; the name service may be unreachable.',
});

export function nodeUnreachable(name: string, why: UnreachableWhy, detail: string): Problem {
  const what: Record<UnreachableWhy, string> = {
    offline: `${name}'s node is offline or not reachable.`,
    nat: `${name}'s node could not be reached through the networks in between.`,
    relay: `The relay between your node and ${name}'s failed.`,
    refused: `${name}'s node refused the connection.`,
    'no-relay': 'No relay could be reached, so Copybara cannot connect without showing your address.',
    unknown: `${name}'s node could not be reached (${detail}).`,
  };
  return {
    status: why === 'refused' ? 502 : 504,
    title: `${name} is not reachable`,
    what: what[why],
    todo: why === 'refused' ? 'The site may not accept visitors from your node.' : 'Try again later; the node may be offline.',
  };
}

export const noSite = (name: string): Problem => ({
  status: 404,
  title: `${name} publishes no site`,
  what: `${name}'s node is online, but it does not publish a web site.`,
  todo: `Its owner can publish one with "copybara-host publish PORT" or in Copybara's settings.`,
});

export const siteDown = (name: string): Problem => ({
  status: 502,
  title: `${name}'s site is not answering`,
  what: `${name}'s node is online and publishes a site, but the web server behind it did not accept the connection.`,
  todo: 'Try again later; its owner may have stopped the server.',
});

export const busy = (): Problem => ({
  status: 503,
  title: 'Too many connections',
  what: 'Your Copybara node is carrying as many site connections as it allows.',
  todo: 'Close some tabs of .azero sites and reload.',
});
