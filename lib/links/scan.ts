import { LinkError, type LinkErrorCode } from './errors';
import { findLinksInText, payloadFromHref } from './find';
import { type CallLink, MAX_PAYLOAD_CHARS, checkLink, decodeLinkPayload } from './link';

// The pure parts of scanning pages for call links (the DOM walk is
// entrypoints/messenger.content/scanner.ts): checking a payload with a cache, finding links
// in text and addresses with cheap rejections first, and the only messages a page's
// content script may send about them.

export type LinkVerdict =
  { ok: true; payload: string; link: CallLink } | { ok: false; payload: string; code: LinkErrorCode; message: string };

// ---------------------------------------------------------------------------------------
// Checking, cached per payload text (a signature check costs milliseconds).

export interface LinkChecker {
  check(payload: string, nowMs: number): LinkVerdict;
  isCached(payload: string): boolean;
  readonly decodes: number;
}

export function createLinkChecker(maxEntries = 2000): LinkChecker {
  const cache = new Map<string, CallLink | LinkError>();
  let decodes = 0;
  return {
    get decodes() {
      return decodes;
    },
    isCached: (payload) => payload.length > MAX_PAYLOAD_CHARS || cache.has(payload),
    check(payload, nowMs) {
      // Capped before any decoding, and never kept as a cache key.
      if (payload.length > MAX_PAYLOAD_CHARS) return refused(payload, new LinkError('TOO_LARGE', 'this is too long to be a call link'));
      let decoded = cache.get(payload);
      if (!decoded) {
        decodes++;
        try {
          decoded = decodeLinkPayload(payload);
        } catch (err) {
          decoded = err instanceof LinkError ? err : new LinkError('MALFORMED', 'this call link is damaged or incomplete');
        }
        cache.set(payload, decoded);
        if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
      }
      if (decoded instanceof LinkError) return refused(payload, decoded);
      // Time is checked on every call: a cached link expires like any other.
      try {
        return { ok: true, payload, link: checkLink(decoded, Math.floor(nowMs / 1000), null) };
      } catch (err) {
        return refused(payload, err instanceof LinkError ? err : new LinkError('MALFORMED', String(err)));
      }
    },
  };
}

function refused(payload: string, err: LinkError): LinkVerdict {
  return { ok: false, payload, code: err.code, message: err.message };
}

// ---------------------------------------------------------------------------------------
// What leaves the page: only these, only to our own background, only on a person's click.
//   open-link    the person clicked a call link itself (its navigation was stopped)
//   answer-link  the person pressed Answer on a badge
//   link-status  sent with answer-link: asks the background to resolve the claimed name

export const LINK_MESSAGE_TYPES = ['open-link', 'answer-link', 'link-status'] as const;
export type LinkMessageType = (typeof LINK_MESSAGE_TYPES)[number];
export interface LinkMessage {
  type: LinkMessageType;
  payload: string;
}

const PAYLOAD_TEXT = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_PAYLOAD_CHARS}}$`);

// Builds a message, or checks one that arrived (`unknown` from runtime.onMessage): exactly
// {type, payload} with a payload that can only be link text. Throws a LinkError otherwise.
export function linkMessage(value: unknown): LinkMessage {
  const o = value as Partial<Record<string, unknown>> | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new LinkError('MALFORMED', 'a link message is an object');
  const keys = Object.keys(o);
  if (keys.length !== 2 || !keys.includes('type') || !keys.includes('payload'))
    throw new LinkError('MALFORMED', 'a link message has exactly type and payload');
  if (!LINK_MESSAGE_TYPES.includes(o.type as LinkMessageType))
    throw new LinkError('MALFORMED', `unknown link message type ${JSON.stringify(o.type)}`);
  if (typeof o.payload !== 'string' || !PAYLOAD_TEXT.test(o.payload))
    throw new LinkError('MALFORMED', 'a link message carries link text only');
  return { type: o.type as LinkMessageType, payload: o.payload };
}

// ---------------------------------------------------------------------------------------
// Where links stand, with cheap rejections first.

export const MAX_TEXT_CHARS = 20_000; // of one text node; a call link fits in 600
export const MAX_LINKS_PER_TEXT = 20;
export const MAX_HREF_CHARS = 4096;

export function payloadsInText(text: string): string[] {
  if (!text.includes('copybara:') && !text.includes('/call#')) return [];
  const scanned = text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text;
  return findLinksInText(scanned, MAX_LINKS_PER_TEXT).map((f) => f.payload);
}

// Direct (`https://<host>/call#…`) or wrapped in a redirect (`…?url=https%3A%2F%2F…`).
export function payloadInHref(href: string, hosts: readonly string[]): string | null {
  if (href.length > MAX_HREF_CHARS || !/call/i.test(href)) return null;
  return payloadFromHref(href, hosts);
}
