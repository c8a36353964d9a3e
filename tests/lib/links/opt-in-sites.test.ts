import { describe, expect, it } from 'vitest';
import { SITE_SCRIPT_PREFIX, siteFromInput, siteScriptId, sitePlan, sitesFromGrants } from '../../../lib/links/opt-in-sites';

// Sites the person opted in to: what they type, which grants count, what to register.

const KNOWN = ['https://web.telegram.org/*', 'https://discord.com/*'];

describe('siteFromInput', () => {
  it.each([
    ['https://chat.example.org', 'https://chat.example.org'],
    ['chat.example.org', 'https://chat.example.org'],
    ['  https://Chat.Example.org/rooms/1?x#y ', 'https://chat.example.org'],
    ['http://127.0.0.1:8080/', 'http://127.0.0.1'],
    ['http://localhost:3000', 'http://localhost'],
  ])('%j is the site %s', (typed, origin) => {
    expect(siteFromInput(typed, KNOWN)).toEqual({ ok: true, site: { origin, pattern: `${origin}/*` } });
  });

  it.each([
    ['', /Give a site/],
    ['ftp://files.example.org', /Only http:\/\/ and https:\/\//],
    ['https://user:pw@chat.example.org', /user name or password/],
    ['https://*.example.org', /not a web address|wildcards/],
    ['intranet', /not a site's address/],
    ['https://web.telegram.org/k/', /already recognised/],
    ['x'.repeat(400), /too long/],
  ])('refuses %j', (typed, why) => {
    const result = siteFromInput(typed, KNOWN);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(why);
  });
});

describe('sitesFromGrants', () => {
  it("keeps one-host grants that are not the messengers', sorted, once each", () => {
    const origins = [
      'https://web.telegram.org/*',
      'https://z.example.org/*',
      'http://127.0.0.1/*',
      'https://*/*',
      '<all_urls>',
      'https://*.example.org/*',
      'https://a.example.org/path/*',
      'https://z.example.org/*',
    ];
    expect(sitesFromGrants(origins, KNOWN)).toEqual([
      { origin: 'http://127.0.0.1', pattern: 'http://127.0.0.1/*' },
      { origin: 'https://z.example.org', pattern: 'https://z.example.org/*' },
    ]);
  });
});

describe('sitePlan', () => {
  const a = { origin: 'https://a.example.org', pattern: 'https://a.example.org/*' };
  const b = { origin: 'https://b.example.org', pattern: 'https://b.example.org/*' };

  it('registers grants without a script and unregisters scripts without a grant', () => {
    const registered = [
      { id: siteScriptId(a), matches: [a.pattern] },
      { id: `${SITE_SCRIPT_PREFIX}https://gone.example.org`, matches: ['https://gone.example.org/*'] },
    ];
    expect(sitePlan([a, b], registered)).toEqual({ register: [b], unregister: [`${SITE_SCRIPT_PREFIX}https://gone.example.org`] });
  });

  it('leaves other scripts alone and replaces one whose matches drifted', () => {
    const registered = [
      { id: 'someone-else', matches: ['https://x.example/*'] },
      { id: siteScriptId(a), matches: ['https://other.example/*'] },
    ];
    expect(sitePlan([a], registered)).toEqual({ register: [a], unregister: [siteScriptId(a)] });
  });

  it('does nothing when all is in order', () => {
    expect(sitePlan([a], [{ id: siteScriptId(a), matches: [a.pattern] }])).toEqual({ register: [], unregister: [] });
  });
});
