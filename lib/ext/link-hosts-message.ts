import { CopybaraError, ReplyError, errorInfoFrom } from '../errors';
import { isLinkHost, linkHosts } from '../links/host';
import { DEFAULT_LINK_HOST } from '../links/link';
import { object, string } from '../protocol/check';

// The one thing the messenger content script learns from the settings: which hosts' call
// link addresses to recognise. Storage is closed to content scripts (trusted contexts
// only), so the script asks the background, and the background tells the open tabs again
// when the setting changes:
//
//   content script --sendMessage {type: 'link-hosts'}--> background --Reply<LinkHostsUpdate>-->
//   background --tabs.sendMessage LinkHostsUpdate--> content scripts (after a change)
//
// Kept out of messages.ts: the content script runs in every messenger tab, and that
// module would bring the call and name decoders into it.

const LINK_HOSTS = 'link-hosts';

export interface LinkHostsRequest {
  type: typeof LINK_HOSTS;
}

export interface LinkHostsUpdate {
  type: typeof LINK_HOSTS;
  // The default host first, then the configured one when it differs (lib/links/host.ts).
  hosts: string[];
}

export const linkHostsRequest = (): LinkHostsRequest => ({ type: LINK_HOSTS });

export const linkHostsUpdate = (configured: string | null): LinkHostsUpdate => ({ type: LINK_HOSTS, hosts: linkHosts(configured) });

function exactKeys(o: Record<string, unknown>, keys: readonly string[], what: string): void {
  const got = Object.keys(o);
  if (got.length !== keys.length || !keys.every((k) => got.includes(k))) {
    throw CopybaraError.BAD_MESSAGE(`${what} has exactly the fields ${keys.join(', ')}`);
  }
}

// The background's side: is this message the content script's question? Anything else
// that says `type: 'link-hosts'` is malformed and refused by the caller.
export function isLinkHostsRequest(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === LINK_HOSTS;
}

export function decodeLinkHostsRequest(value: unknown): LinkHostsRequest {
  const o = object(value, 'link hosts request');
  exactKeys(o, ['type'], 'a link hosts request');
  string(o, 'type', 16, /^link-hosts$/);
  return { type: LINK_HOSTS };
}

// The content script's side, for the reply's result and for an update pushed to the tab:
// the default host, then at most one other, each in the form the settings store.
export function decodeLinkHostsUpdate(value: unknown): LinkHostsUpdate {
  const o = object(value, 'link hosts');
  exactKeys(o, ['type', 'hosts'], 'a link hosts message');
  string(o, 'type', 16, /^link-hosts$/);
  const hosts = o.hosts;
  if (!Array.isArray(hosts) || hosts.length < 1 || hosts.length > 2)
    throw CopybaraError.BAD_MESSAGE('field "hosts" must list one or two hosts');
  if (hosts[0] !== DEFAULT_LINK_HOST) throw CopybaraError.BAD_MESSAGE(`field "hosts" must start with ${DEFAULT_LINK_HOST}`);
  const configured: unknown = hosts[1];
  if (hosts.length === 2 && (!isLinkHost(configured) || configured === DEFAULT_LINK_HOST)) {
    throw CopybaraError.BAD_MESSAGE('field "hosts" holds something that is not a host name');
  }
  return { type: LINK_HOSTS, hosts: [...(hosts as string[])] };
}

// The background's Reply to the request: the update, or its error rethrown with its code.
export function decodeLinkHostsReply(value: unknown): LinkHostsUpdate {
  const o = object(value, 'reply');
  if (o.ok === true) {
    exactKeys(o, ['ok', 'result'], 'a reply');
    return decodeLinkHostsUpdate(o.result);
  }
  if (o.ok === false) {
    const e = object(o.error, 'error');
    throw new ReplyError(errorInfoFrom(string(e, 'code', 64), string(e, 'message', 1024)));
  }
  throw CopybaraError.BAD_MESSAGE('a reply needs ok: true or false');
}
