import { describe, expect, it, vi } from 'vitest';
import {
  SETTINGS_KEY,
  SettingsStore,
  decodeSettings,
  defaultSettings,
  draftOf,
  endpointProblem,
  parseEndpoints,
  validateSettings,
} from '../../../lib/ext/settings';
import { memoryArea } from '../../../lib/ext/storage';
import { parseName } from '../../../lib/names/name';

const draft = (over: Partial<ReturnType<typeof draftOf>> = {}) => ({ ...draftOf(defaultSettings()), ...over });

describe('defaults', () => {
  it('use the public AZERO.ID endpoints, no name, decline mismatched names, links on copybara.network, anyone may ring', () => {
    expect(defaultSettings()).toEqual({
      endpoints: { azero: ['wss://ws.azero.dev'], tzero: ['wss://ws.test.azero.dev'] },
      myName: null,
      allowMismatchedNames: false,
      linkHost: 'copybara.network',
      onlyContactsRing: false,
      directWithContacts: false,
      relays: [],
      network: 'hyperdht',
      otherSitesProxy: null,
    });
  });

  it('are a fresh copy each time', () => {
    const a = defaultSettings();
    a.endpoints.azero.push('wss://x.example');
    expect(defaultSettings().endpoints.azero).toEqual(['wss://ws.azero.dev']);
  });
});

describe('validateSettings', () => {
  it('turns a good form into settings: trimmed, without blank lines or repeats, the name canonical', () => {
    const result = validateSettings(
      draft({ azero: '  wss://a.example \n\nws://127.0.0.1:9944\nwss://a.example\n', myName: ' Alice.AZERO ', allowMismatchedNames: true }),
      parseName,
    );
    expect(result).toEqual({
      ok: true,
      value: {
        endpoints: { azero: ['wss://a.example', 'ws://127.0.0.1:9944'], tzero: ['wss://ws.test.azero.dev'] },
        myName: 'alice.azero',
        allowMismatchedNames: true,
        linkHost: 'copybara.network',
        onlyContactsRing: false,
        directWithContacts: false,
        relays: [],
        network: 'hyperdht',
        otherSitesProxy: null,
      },
    });
  });

  it('takes pinned relays one per line, as the relay prints its key, and says which line is not one', () => {
    const key = 'y'.repeat(51) + 'g';
    expect(validateSettings(draft({ relays: ` ${key.toUpperCase()} \n\n${key}\n`, directWithContacts: true }), parseName)).toMatchObject({
      ok: true,
      value: { relays: [key], directWithContacts: true },
    });
    expect(validateSettings(draft({ relays: `${key}\nnot-a-key` }), parseName)).toMatchObject({
      ok: false,
      errors: { relays: expect.stringMatching(/^Line 2: that is not a relay key/) },
    });
    expect(decodeSettings({ relays: ['nope'], directWithContacts: 'yes' }).problems).toEqual([
      'the saved "Allow direct connections with contacts" is not true or false',
      'the saved "Pinned relays" are not a list of relay keys',
    ]);
  });

  it("takes the network's proxy for other sites as host:port, and says what is wrong with one that is not", () => {
    expect(validateSettings(draft({ otherSitesProxy: ' http://Proxy.Corp:3128/ ' }), parseName)).toMatchObject({
      ok: true,
      value: { otherSitesProxy: 'proxy.corp:3128' },
    });
    expect(validateSettings(draft({ otherSitesProxy: '' }), parseName)).toMatchObject({ ok: true, value: { otherSitesProxy: null } });
    expect(validateSettings(draft({ otherSitesProxy: 'proxy.corp' }), parseName)).toMatchObject({
      ok: false,
      errors: { otherSitesProxy: expect.stringMatching(/host:port/) },
    });
    expect(decodeSettings({ otherSitesProxy: 'x";y:1' }).problems).toEqual(['the saved "Proxy for other sites" is not host:port']);
    expect(decodeSettings({ otherSitesProxy: '[fd00::1]:80' }).settings.otherSitesProxy).toBe('[fd00::1]:80');
  });

  it('leaves My name empty when it is', () => {
    expect(validateSettings(draft({ myName: '   ' }), parseName)).toMatchObject({ ok: true, value: { myName: null } });
  });

  it('says what is wrong, field by field, in words', () => {
    const result = validateSettings(draft({ azero: 'https://ws.azero.dev', tzero: '', myName: 'alice' }), parseName);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.azero).toBe('Line 1: "https://ws.azero.dev" must start with wss:// (or ws:// for a node on this computer).');
    expect(result.errors.tzero).toBe('Give at least one endpoint (wss://…).');
    expect(result.errors.myName).toMatch(/^"alice" is not a valid name: a name ends in \.azero, \.a0 or \.tzero/);
  });

  it('explains a name with a foreign ending or a bad character', () => {
    const com = validateSettings(draft({ myName: 'alice.com' }), parseName);
    expect(com).toMatchObject({ ok: false, errors: { myName: expect.stringMatching(/not an AZERO\.ID name/) } });
    const underscore = validateSettings(draft({ myName: 'al_ice.azero' }), parseName);
    expect(underscore).toMatchObject({ ok: false, errors: { myName: expect.stringMatching(/"_" \(U\+005F\) is not allowed/) } });
    expect(validateSettings(draft({ myName: 'a'.repeat(300) }), parseName)).toMatchObject({
      ok: false,
      errors: { myName: 'A name has at most 256 characters.' },
    });
  });
});

describe('endpoints', () => {
  it.each([
    ['wss://ws.azero.dev', null],
    ['ws://127.0.0.1:9944', null],
    ['wss://ws.azero.dev/path', null],
    ['http://ws.azero.dev', /must start with wss:\/\//],
    ['ws.azero.dev', /is not an address/],
    ['wss://user:pw@ws.azero.dev', /user name or password/],
    ['ws://localhost:9944', null],
    ['ws://[::1]:9944', null],
    ['ws://127.200.1.1', null],
    ['ws://ws.azero.dev', /not encrypted: ws:\/\/ is only for a node on this computer/],
    ['ws://10.1.2.3:9944', /not encrypted/],
    ['ws://[::2]:9944', /not encrypted/],
    ['ws://127.0.0.1.evil.example', /not encrypted/],
    ['ws://localhost.evil.example', /not encrypted/],
    ['wss://*', /wildcard/],
    ['wss://*.azero.dev', /wildcard/],
    ['ws://*', /wildcard/],
    ['wss://a.example;b', /character an address cannot have/],
    ['wss://ws.azero.dev/#x', /# part/],
    [`wss://${'a'.repeat(600)}.dev`, /at most 512 characters/],
  ])('%s', (url, problem) => {
    const found = endpointProblem(url);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });

  it('names the line of a problem and caps the list', () => {
    expect(parseEndpoints('wss://a.example\nftp://b.example')).toEqual({ ok: false, message: expect.stringMatching(/^Line 2: /) });
    const many = Array.from({ length: 9 }, (_, i) => `wss://n${i}.example`).join('\n');
    expect(parseEndpoints(many)).toEqual({ ok: false, message: 'Give at most 8 endpoints.' });
    expect(parseEndpoints('wss://a b')).toEqual({ ok: false, message: 'Line 1: an address has no spaces.' });
  });
});

describe('decodeSettings (what comes back from storage)', () => {
  it('gives the defaults for nothing stored', () => {
    expect(decodeSettings(undefined)).toEqual({ settings: defaultSettings(), problems: [] });
  });

  it('keeps good fields and falls back per field on garbage, saying which', () => {
    const { settings, problems } = decodeSettings(
      { endpoints: { azero: ['wss://a.example'], tzero: 'nope' }, myName: 42, allowMismatchedNames: 'yes' },
      parseName,
    );
    expect(settings).toEqual({
      endpoints: { azero: ['wss://a.example'], tzero: ['wss://ws.test.azero.dev'] },
      myName: null,
      allowMismatchedNames: false,
      linkHost: 'copybara.network',
      onlyContactsRing: false,
      directWithContacts: false,
      relays: [],
      network: 'hyperdht',
      otherSitesProxy: null,
    });
    expect(problems).toEqual([
      'the saved tzero endpoints are not a list of ws:// or wss:// addresses',
      'the saved "My name" is not a valid name',
      'the saved "allowMismatchedNames" is not true or false',
    ]);
  });

  it('rejects a stored name that does not parse, and anything that is not an object', () => {
    expect(decodeSettings({ myName: 'bob..azero' }, parseName).problems).toEqual(['the saved "My name" is not a valid name']);
    expect(decodeSettings([1, 2]).problems).toEqual(['the saved settings are not an object']);
    expect(decodeSettings('x').settings).toEqual(defaultSettings());
    expect(decodeSettings({ endpoints: { azero: ['javascript:alert(1)'], tzero: [] } }).settings.endpoints).toEqual(
      defaultSettings().endpoints,
    );
  });
});

describe('SettingsStore', () => {
  it('round-trips through storage', async () => {
    const area = memoryArea();
    const store = new SettingsStore(area, parseName);
    expect(await store.load()).toEqual(defaultSettings());
    const settings = {
      endpoints: { azero: ['wss://a.example'], tzero: ['wss://t.example'] },
      myName: 'alice.azero',
      allowMismatchedNames: true,
      linkHost: 'links.example.org',
      onlyContactsRing: true,
      directWithContacts: true,
      relays: ['y'.repeat(51) + 'g'],
      network: 'staex' as const,
      otherSitesProxy: 'proxy.corp:3128',
    };
    await store.save(settings);
    expect(area.data.get(SETTINGS_KEY)).toEqual(settings);
    expect(await store.load()).toEqual(settings);
  });

  it('reads damaged storage as defaults and warns', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = new SettingsStore(memoryArea({ [SETTINGS_KEY]: { allowMismatchedNames: 1 } }), parseName);
    expect((await store.load()).allowMismatchedNames).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/allowMismatchedNames/));
    warn.mockRestore();
  });

  it('reads a damaged "Network for calls" as HyperDHT, and says so', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = new SettingsStore(memoryArea({ [SETTINGS_KEY]: { network: 'tor' } }), parseName);
    expect((await store.load()).network).toBe('hyperdht');
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Network for calls/));
    warn.mockRestore();
  });

  it('reads a damaged "Only contacts can ring me" as off, and says so', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const store = new SettingsStore(memoryArea({ [SETTINGS_KEY]: { onlyContactsRing: 'yes' } }), parseName);
    expect((await store.load()).onlyContactsRing).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/Only contacts can ring me/));
    warn.mockRestore();
  });
});

describe('Call link host', () => {
  it('takes a host name, in the form addresses use, and empty as the default', () => {
    expect(validateSettings(draft({ linkHost: ' Links.Example.ORG. ' }), parseName)).toMatchObject({
      ok: true,
      value: { linkHost: 'links.example.org' },
    });
    expect(validateSettings(draft({ linkHost: 'bücher.example' }), parseName)).toMatchObject({
      ok: true,
      value: { linkHost: 'xn--bcher-kva.example' },
    });
    expect(validateSettings(draft({ linkHost: '   ' }), parseName)).toMatchObject({ ok: true, value: { linkHost: 'copybara.network' } });
  });

  it.each([
    ['https://links.example.org', /without https:\/\/, a port or a path/],
    ['links.example.org:8443', /without https:\/\/, a port or a path/],
    ['links.example.org/call', /without https:\/\/, a port or a path/],
    ['localhost', /not a host name like links\.example\.org/],
    ['-bad.example.org', /not a host name/],
    ['a..example', /not a host name/],
    ['under_score.example', /not a host name/],
    ['192.168.1.10', /not an IP address/],
    [`${'a'.repeat(250)}.example`, /at most 253 characters/],
  ])('refuses %s, saying why', (typed, why) => {
    const result = validateSettings(draft({ linkHost: typed }), parseName);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.linkHost).toMatch(why);
  });

  it('falls back to the default when the stored host is not one', () => {
    expect(decodeSettings({ linkHost: 'links.example.org' }).settings.linkHost).toBe('links.example.org');
    for (const bad of ['Links.Example.org', 'https://x.example', 42, '', 'evil.example/call#']) {
      const { settings, problems } = decodeSettings({ linkHost: bad });
      expect(settings.linkHost).toBe('copybara.network');
      expect(problems).toEqual(['the saved "Call link host" is not a host name']);
    }
  });
});
