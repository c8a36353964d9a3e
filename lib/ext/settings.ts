import { sentence } from '../error-text';
import { checkLinkHost, isLinkHost } from '../links/host';
import { DEFAULT_LINK_HOST } from '../links/link';
import { DEFAULT_ENDPOINTS } from '../names/chains';
import { endpointProblem } from '../names/endpoint';
import { isNodeId, normaliseNodeId } from '../node-id';
import { NETWORK_NAMES, type NetworkName } from '../protocol/native';
import type { Chain, ChainEndpoints } from '../names/types';
import { type NameParser, checkName } from './name-input';
import { formatProxyServer, parseProxyServer } from './proxy-server';
import type { KeyValueArea } from './storage';

// The extension's settings: typed defaults, validation in words, and the one module that
// reads and writes them (key "settings" in storage.local). The options page edits them;
// the background reads them for every resolution and every call it places.

export interface Settings {
  // Chain RPC endpoints to try, in order: configurable, because the public
  // ones may disappear.
  endpoints: ChainEndpoints;
  // The AZERO.ID name this browser claims when it calls (canonical form), or null.
  myName: string | null;
  // Ring callers whose claimed name points to another key, instead of declining them.
  allowMismatchedNames: boolean;
  // The web host of the call links this browser makes (`https://<host>/call#…`), and
  // recognised on pages next to the default one (docs/links.md).
  linkHost: string;
  // Decline, without ringing, calls from keys that are not a contact's (lib/ext/blocked.ts).
  onlyContactsRing: boolean;
  // Calls with saved contacts may connect directly (holepunched: lower latency, and each side
  // learns the other's address); everything else goes through a relay.
  directWithContacts: boolean;
  // Blind relays to prefer (node-id form), e.g. a home server or a friend's machine.
  relays: string[];
  // The network for calls to names that have both a copybara-id and a staex-id record.
  network: NetworkName;
  // The HTTP proxy the person's network needs for every other site ("host:port"), or null:
  // Chromium's .azero routing replaces its proxy settings (lib/ext/site-proxy.ts).
  otherSitesProxy: string | null;
}

export const SETTINGS_KEY = 'settings';

export { DEFAULT_ENDPOINTS };

export const MAX_ENDPOINTS = 8;
const MAX_NAME_INPUT = 256;

export function defaultSettings(): Settings {
  return {
    endpoints: { azero: [...DEFAULT_ENDPOINTS.azero], tzero: [...DEFAULT_ENDPOINTS.tzero] },
    myName: null,
    allowMismatchedNames: false,
    linkHost: DEFAULT_LINK_HOST,
    onlyContactsRing: false,
    directWithContacts: false,
    relays: [],
    network: 'hyperdht',
    otherSitesProxy: null,
  };
}

// ---------------------------------------------------------------------------------------
// The options form: text as the user typed it, and what is wrong with it, field by field.

export interface SettingsDraft {
  azero: string; // one URL per line
  tzero: string;
  myName: string;
  allowMismatchedNames: boolean;
  linkHost: string;
  onlyContactsRing: boolean;
  directWithContacts: boolean;
  relays: string; // one relay key per line
  network: NetworkName;
  otherSitesProxy: string;
}

export type SettingsErrors = Partial<Record<'azero' | 'tzero' | 'myName' | 'linkHost' | 'relays' | 'otherSitesProxy', string>>;

export type Validated<T, E> = { ok: true; value: T } | { ok: false; errors: E };

export function draftOf(settings: Settings): SettingsDraft {
  return {
    azero: settings.endpoints.azero.join('\n'),
    tzero: settings.endpoints.tzero.join('\n'),
    myName: settings.myName ?? '',
    allowMismatchedNames: settings.allowMismatchedNames,
    linkHost: settings.linkHost,
    onlyContactsRing: settings.onlyContactsRing,
    directWithContacts: settings.directWithContacts,
    relays: settings.relays.join('\n'),
    network: settings.network,
    otherSitesProxy: settings.otherSitesProxy ?? '',
  };
}

export function validateSettings(draft: SettingsDraft, parseName: NameParser): Validated<Settings, SettingsErrors> {
  const errors: SettingsErrors = {};
  const azero = parseEndpoints(draft.azero);
  const tzero = parseEndpoints(draft.tzero);
  if (!azero.ok) errors.azero = azero.message;
  if (!tzero.ok) errors.tzero = tzero.message;
  let myName: string | null = null;
  const typed = draft.myName.trim();
  if (typed.length > MAX_NAME_INPUT) {
    errors.myName = `A name has at most ${MAX_NAME_INPUT} characters.`;
  } else if (typed !== '') {
    const checked = checkName(typed, parseName);
    if (checked.ok) myName = checked.name.full;
    else errors.myName = sentence(checked.error.message || 'that is not a valid name');
  }
  // Empty means the default, so the field can simply be cleared.
  const host = draft.linkHost.trim() === '' ? { ok: true as const, host: DEFAULT_LINK_HOST } : checkLinkHost(draft.linkHost);
  if (!host.ok) errors.linkHost = host.message;
  const relays = parseRelays(draft.relays);
  if (!relays.ok) errors.relays = relays.message;
  const proxy = parseProxyServer(draft.otherSitesProxy);
  if (!proxy.ok) errors.otherSitesProxy = proxy.message;
  if (!azero.ok || !tzero.ok || !host.ok || !relays.ok || !proxy.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      endpoints: { azero: azero.list, tzero: tzero.list },
      myName,
      allowMismatchedNames: draft.allowMismatchedNames,
      linkHost: host.host,
      onlyContactsRing: draft.onlyContactsRing,
      directWithContacts: draft.directWithContacts,
      relays: relays.list,
      network: draft.network,
      otherSitesProxy: proxy.server ? formatProxyServer(proxy.server) : null,
    },
  };
}

export const MAX_RELAYS = 16;

// One relay key per line, as `copybara-host relay` prints it; blank lines and repeats dropped.
// None is fine: relays are then found on the network.
export function parseRelays(text: string): EndpointList {
  const read = readLines(text, (line) => {
    const key = normaliseNodeId(line);
    return isNodeId(key) ? { value: key } : { problem: 'that is not a relay key (52 characters, as `copybara-host relay` prints it).' };
  });
  if (read.ok && read.list.length > MAX_RELAYS) return { ok: false, message: `Give at most ${MAX_RELAYS} relays.` };
  return read;
}

export type EndpointList = { ok: true; list: string[] } | { ok: false; message: string };

// One URL per line; blank lines and repeats are dropped. Only ws:// and wss:// can reach a
// Substrate node, and at least one is needed or names on that chain cannot be resolved.
export function parseEndpoints(text: string): EndpointList {
  const read = readLines(text, (line) => {
    const problem = endpointProblem(line);
    return problem ? { problem } : { value: line };
  });
  if (!read.ok) return read;
  if (read.list.length === 0) return { ok: false, message: 'Give at least one endpoint (wss://…).' };
  if (read.list.length > MAX_ENDPOINTS) return { ok: false, message: `Give at most ${MAX_ENDPOINTS} endpoints.` };
  return read;
}

// The non-blank lines of a text field, trimmed, each read by `read` (the value it stands for, or
// why it is unusable), repeats dropped; the first unusable line ends it, named by its number.
function readLines(text: string, read: (line: string) => { value: string } | { problem: string }): EndpointList {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const list: string[] = [];
  for (const [i, line] of lines.entries()) {
    const r = read(line);
    if ('problem' in r) return { ok: false, message: `Line ${i + 1}: ${r.problem}` };
    if (!list.includes(r.value)) list.push(r.value);
  }
  return { ok: true, list };
}

// null when `url` is a usable endpoint, else why not, in words: the rule every endpoint
// passes, wherever it comes from (lib/names/endpoint.ts).
export { endpointProblem };

// ---------------------------------------------------------------------------------------
// Storage. What is stored is not trusted: a field that does not check out falls back to
// its default (and is reported), so a damaged entry never locks anyone out of calling.

export interface DecodedSettings {
  settings: Settings;
  // Fields that were present but unusable, in words; empty when all was well.
  problems: string[];
}

export function decodeSettings(value: unknown, parseName?: NameParser): DecodedSettings {
  const settings = defaultSettings();
  const problems: string[] = [];
  if (value === undefined || value === null) return { settings, problems };
  if (typeof value !== 'object' || Array.isArray(value)) return { settings, problems: ['the saved settings are not an object'] };
  const o = value as Record<string, unknown>;

  if (o.endpoints !== undefined) {
    const e = o.endpoints as Record<string, unknown> | null;
    for (const chain of ['azero', 'tzero'] as const satisfies readonly Chain[]) {
      const list = typeof e === 'object' && e !== null ? e[chain] : undefined;
      const ok = Array.isArray(list) && list.every((u) => typeof u === 'string') && parseEndpoints(list.join('\n'));
      if (ok && ok.ok) settings.endpoints[chain] = ok.list;
      else problems.push(`the saved ${chain} endpoints are not a list of ws:// or wss:// addresses`);
    }
  }

  if (o.myName !== undefined && o.myName !== null) {
    const name = typeof o.myName === 'string' && o.myName.length <= MAX_NAME_INPUT ? o.myName : null;
    const checked = name !== null && parseName ? checkName(name, parseName) : null;
    if (name === null || (checked && !checked.ok)) problems.push('the saved "My name" is not a valid name');
    else settings.myName = checked?.ok ? checked.name.full : name;
  }

  if (o.allowMismatchedNames !== undefined) {
    if (typeof o.allowMismatchedNames === 'boolean') settings.allowMismatchedNames = o.allowMismatchedNames;
    else problems.push('the saved "allowMismatchedNames" is not true or false');
  }

  if (o.onlyContactsRing !== undefined) {
    if (typeof o.onlyContactsRing === 'boolean') settings.onlyContactsRing = o.onlyContactsRing;
    else problems.push('the saved "Only contacts can ring me" is not true or false');
  }

  if (o.directWithContacts !== undefined) {
    if (typeof o.directWithContacts === 'boolean') settings.directWithContacts = o.directWithContacts;
    else problems.push('the saved "Allow direct connections with contacts" is not true or false');
  }

  if (o.relays !== undefined) {
    const list = Array.isArray(o.relays) && o.relays.every((r) => typeof r === 'string') ? parseRelays(o.relays.join('\n')) : null;
    if (list?.ok) settings.relays = list.list;
    else problems.push('the saved "Pinned relays" are not a list of relay keys');
  }

  if (o.network !== undefined) {
    if ((NETWORK_NAMES as readonly unknown[]).includes(o.network)) settings.network = o.network as NetworkName;
    else problems.push('the saved "Network for calls" is not hyperdht or staex');
  }

  if (o.otherSitesProxy !== undefined && o.otherSitesProxy !== null) {
    const proxy = typeof o.otherSitesProxy === 'string' ? parseProxyServer(o.otherSitesProxy) : null;
    if (proxy?.ok && proxy.server) settings.otherSitesProxy = formatProxyServer(proxy.server);
    else problems.push('the saved "Proxy for other sites" is not host:port');
  }

  if (o.linkHost !== undefined) {
    if (isLinkHost(o.linkHost)) settings.linkHost = o.linkHost;
    else problems.push('the saved "Call link host" is not a host name');
  }
  return { settings, problems };
}

export class SettingsStore {
  private readonly area: KeyValueArea;
  private readonly parseName: NameParser | undefined;

  constructor(area: KeyValueArea, parseName?: NameParser) {
    this.area = area;
    this.parseName = parseName;
  }

  async load(): Promise<Settings> {
    const { settings, problems } = decodeSettings(await this.area.get(SETTINGS_KEY), this.parseName);
    if (problems.length > 0) console.warn(`Copybara: using defaults where ${problems.join('; ')}`);
    return settings;
  }

  async save(settings: Settings): Promise<void> {
    await this.area.set(SETTINGS_KEY, {
      endpoints: { azero: [...settings.endpoints.azero], tzero: [...settings.endpoints.tzero] },
      myName: settings.myName,
      allowMismatchedNames: settings.allowMismatchedNames,
      linkHost: settings.linkHost,
      onlyContactsRing: settings.onlyContactsRing,
      directWithContacts: settings.directWithContacts,
      relays: [...settings.relays],
      network: settings.network,
      otherSitesProxy: settings.otherSitesProxy,
    });
  }
}
