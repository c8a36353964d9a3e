import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { payloadFromHref } from '../../../lib/links/find';
import { LINK_HOST_RULE_ID, checkLinkHost, isLinkHost, linkHostRule, linkHosts, storedLinkHost } from '../../../lib/links/host';
import { DEFAULT_LINK_HOST } from '../../../lib/links/link';
import { SETTINGS_KEY, SettingsStore } from '../../../lib/ext/settings';
import { memoryArea } from '../../../lib/ext/storage';
import { ROOT } from '../../../testkit/processes';

// The call link host: which hosts a link's address may have, and the rule that keeps a
// request for one from leaving the browser.

const PAYLOAD = 'A'.repeat(152);

describe('checkLinkHost', () => {
  it('gives the form addresses use', () => {
    expect(checkLinkHost('links.example.org')).toEqual({ ok: true, host: 'links.example.org' });
    expect(checkLinkHost(' LINKS.Example.org. ')).toEqual({ ok: true, host: 'links.example.org' });
    expect(checkLinkHost('bücher.example')).toEqual({ ok: true, host: 'xn--bcher-kva.example' });
  });

  it.each([
    '',
    'org',
    'https://a.example',
    'a.example:1',
    'a.example/x',
    'a.example?x',
    'a b.example',
    'user@a.example',
    '*.example.org',
    '[::1]',
    '10.0.0.1',
    'a-.example',
    'a'.repeat(64) + '.example',
  ])('refuses %j', (typed) => expect(checkLinkHost(typed).ok).toBe(false));

  it('isLinkHost accepts only the checked form', () => {
    expect(isLinkHost('links.example.org')).toBe(true);
    expect(isLinkHost('Links.example.org')).toBe(false);
    expect(isLinkHost('links.example.org.')).toBe(false);
    expect(isLinkHost(null)).toBe(false);
  });
});

describe('which hosts are recognised', () => {
  it('the default, and the configured one next to it', () => {
    expect(linkHosts(null)).toEqual([DEFAULT_LINK_HOST]);
    expect(linkHosts(DEFAULT_LINK_HOST)).toEqual([DEFAULT_LINK_HOST]);
    expect(linkHosts('links.example.org')).toEqual([DEFAULT_LINK_HOST, 'links.example.org']);
    expect(linkHosts('not a host')).toEqual([DEFAULT_LINK_HOST]);
  });

  it('reads the stored settings without trusting them', () => {
    expect(storedLinkHost({ linkHost: 'links.example.org', myName: 'x' })).toBe('links.example.org');
    for (const stored of [undefined, null, 'x', [], {}, { linkHost: 7 }, { linkHost: 'EVIL.example' }, { linkHost: 'evil.example/call' }]) {
      expect(storedLinkHost(stored)).toBe(DEFAULT_LINK_HOST);
    }
  });

  it('reads what the settings store writes', async () => {
    const area = memoryArea();
    const store = new SettingsStore(area);
    await store.save({ ...(await store.load()), linkHost: 'links.example.org' });
    expect(storedLinkHost(area.data.get(SETTINGS_KEY))).toBe('links.example.org');
  });

  it('an address is a call link only on a recognised host', () => {
    const hosts = linkHosts('links.example.org');
    expect(payloadFromHref(`https://links.example.org/call#${PAYLOAD}`, hosts)).toBe(PAYLOAD);
    expect(payloadFromHref(`https://copybara.network/call#${PAYLOAD}`, hosts)).toBe(PAYLOAD);
    expect(payloadFromHref(`https://other.example.org/call#${PAYLOAD}`, hosts)).toBeNull();
    expect(payloadFromHref(`https://links.example.org.evil.example/call#${PAYLOAD}`, hosts)).toBeNull();
    expect(payloadFromHref(`https://links.example.org/call#${PAYLOAD}`, linkHosts(null))).toBeNull();
  });
});

describe('the block rule of a link host', () => {
  it('is the static rule for the default host, so both block the same addresses', () => {
    const [staticRule] = JSON.parse(readFileSync(join(ROOT, 'public/rules/call-links.json'), 'utf8')) as unknown[];
    expect(linkHostRule(DEFAULT_LINK_HOST, 1)).toEqual(staticRule);
    expect(linkHostRule('links.example.org').id).toBe(LINK_HOST_RULE_ID);
  });

  it("matches the host's /call addresses (without the fragment, as DNR sees them) and nothing else", () => {
    const re = new RegExp(linkHostRule('links.example.org').condition.regexFilter);
    for (const url of [
      'https://links.example.org/call',
      'http://links.example.org/call',
      'https://links.example.org:8443/call',
      'https://links.example.org/call?x',
    ]) {
      expect(re.test(url), url).toBe(true);
    }
    for (const url of [
      'https://links.example.org/calls',
      'https://linksXexample.org/call',
      'https://a.links.example.org/call',
      'https://links.example.org.evil/call',
      'https://links.example.org/other/call',
    ]) {
      expect(re.test(url), url).toBe(false);
    }
  });
});
