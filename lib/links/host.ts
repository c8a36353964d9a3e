import { DEFAULT_LINK_HOST } from './link';

// The web host of call links (`https://<host>/call#…`): the default, or the one the
// person configured (settings "Call link host"; the node's `--link-host`). Pure, so the
// settings, the background and the content script check a host the same way.

export const MAX_HOST_CHARS = 253;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export type HostCheck = { ok: true; host: string } | { ok: false; message: string };

// A host name as typed ("Links.Example.org", "links.example.org."): lower case, no
// scheme, port, path or trailing dot; at least two labels and not an IP address. A link
// names a web address people may see, so it must be one anybody's browser can open.
export function checkLinkHost(typed: string): HostCheck {
  let host = typed.trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host === '') return { ok: false, message: 'Give a host name, like copybara.network.' };
  if (host.length > MAX_HOST_CHARS) return { ok: false, message: `A host name has at most ${MAX_HOST_CHARS} characters.` };
  if (/[/:?#@\s]/.test(host))
    return { ok: false, message: 'Give only the host name, without https://, a port or a path (like links.example.org).' };
  // Names in other scripts are allowed and kept in their ASCII (punycode) form, the form
  // browsers put in addresses and the one the scanner compares with.
  let ascii: string;
  try {
    ascii = new URL(`https://${host}/`).hostname;
  } catch {
    return { ok: false, message: `"${typed.trim()}" is not a host name.` };
  }
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
    return { ok: false, message: `"${typed.trim()}" is not a host name like links.example.org.` };
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return { ok: false, message: 'Give a host name, not an IP address.' };
  return { ok: true, host: ascii };
}

// Already in the form checkLinkHost gives (what settings store).
export function isLinkHost(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > MAX_HOST_CHARS) return false;
  const checked = checkLinkHost(value);
  return checked.ok && checked.host === value;
}

// The hosts a call link's address may have: the default, and the configured one.
export function linkHosts(configured: string | null | undefined): string[] {
  return configured && configured !== DEFAULT_LINK_HOST && isLinkHost(configured) ? [DEFAULT_LINK_HOST, configured] : [DEFAULT_LINK_HOST];
}

// The configured host read from the stored settings object (storage.local "settings"),
// trusting nothing in it: the background compares a storage change's old and new values.
export function storedLinkHost(stored: unknown): string {
  const value = typeof stored === 'object' && stored !== null ? (stored as { linkHost?: unknown }).linkHost : undefined;
  return isLinkHost(value) ? value : DEFAULT_LINK_HOST;
}

// The declarativeNetRequest rule that keeps a request for a link's own address on `host`
// from leaving the browser (the default host's is the static public/rules/call-links.json;
// the configured host's is a dynamic rule with this id). Requests carry no fragment, so the
// rule can only block; the background opens the preview from the navigation.
export const LINK_HOST_RULE_ID = 1001;

export interface BlockRule {
  id: number;
  priority: number;
  action: { type: 'block' };
  condition: { regexFilter: string; resourceTypes: ('main_frame' | 'sub_frame')[] };
}

export function linkHostRule(host: string, id = LINK_HOST_RULE_ID): BlockRule {
  // A checked host has only letters, digits, dots and hyphens; only the dots need escaping.
  const escaped = host.replace(/\./g, '\\.');
  return {
    id,
    priority: 1,
    action: { type: 'block' },
    condition: { regexFilter: `^https?://${escaped}(:[0-9]+)?/call([?#].*)?$`, resourceTypes: ['main_frame', 'sub_frame'] },
  };
}
