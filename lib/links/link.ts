import { ed25519 } from '@noble/curves/ed25519';
import { decodeNodeId, encodeNodeId } from '../node-id';
import { decodeBase64url, encodeBase64url } from './base64url';
import { LinkError } from './errors';

// A call link: a signed invitation to call its maker, small enough to paste in any chat.
// It carries no SDP and no address, only keys, an invitation id and times; whoever answers
// dials the maker's key over the overlay, which proves who answers.
//
//   0  version (1)          34  invitation id (8)      [50  callee key (32)]
//   1  flags                42  created (u32 s, BE)    [    name length (1), name (UTF-8)]
//   2  maker's key (32)     46  expires (u32 s, BE)        signature (64)
//
// The signature is Ed25519 by the maker's node key over SIGNING_CONTEXT || every byte
// before it. Text forms: `https://<host>/call#<payload>` (the fragment never leaves the
// browser) and `copybara:<payload>` as plain text; <payload> is strict base64url.

export const LINK_VERSION = 1;
export const DEFAULT_LINK_HOST = 'copybara.network';
export const DEFAULT_LINK_LIFETIME_S = 24 * 60 * 60;
export const MAX_LINK_LIFETIME_S = 7 * 24 * 60 * 60;
// Clocks disagree; a link made up to this far in "the future" is still accepted.
export const CLOCK_SKEW_S = 5 * 60;
export const MAX_PAYLOAD_CHARS = 512;

const SIGNING_CONTEXT = new TextEncoder().encode('copybara call link v1\n');
const FLAG_CALLEE = 1;
const FLAG_NAME = 2;
const HEAD = 50;
const SIGNATURE = 64;
// AZERO.ID labels are at most 32 characters; 64 bytes leaves room for a TLD and keeps the
// fullest link (callee and name) well under MAX_PAYLOAD_CHARS.
const MAX_NAME_BYTES = 64;

export interface CallLink {
  caller: string; // node id of the maker
  invitation: string; // 16 hex digits
  createdAt: number; // unix seconds
  expiresAt: number;
  callee: string | null; // node id it was made for, if any
  name: string | null; // the name the maker claims (unverified until resolved)
}

export interface LinkDraft {
  secretKey: Uint8Array; // libsodium form: 32-byte seed then 32-byte public key
  invitation: Uint8Array; // 8 random bytes
  createdAt: number;
  lifetimeS: number;
  callee?: string | null;
  name?: string | null;
}

export function createLinkPayload(d: LinkDraft): string {
  if (d.secretKey.length !== 64) throw new LinkError('MALFORMED', 'a node secret key is 64 bytes');
  if (d.invitation.length !== 8) throw new LinkError('MALFORMED', 'an invitation id is 8 bytes');
  if (!Number.isInteger(d.lifetimeS) || d.lifetimeS < 60 || d.lifetimeS > MAX_LINK_LIFETIME_S) {
    throw new LinkError('MALFORMED', `a link lives from 1 minute to ${MAX_LINK_LIFETIME_S / 86400} days`);
  }
  const name = d.name ? new TextEncoder().encode(d.name) : null;
  if (name && (name.length === 0 || name.length > MAX_NAME_BYTES)) throw new LinkError('MALFORMED', 'the name is too long');
  const callee = d.callee ? decodeNodeId(d.callee) : null;
  const body = new Uint8Array(HEAD + (callee ? 32 : 0) + (name ? 1 + name.length : 0));
  const view = new DataView(body.buffer);
  body[0] = LINK_VERSION;
  body[1] = (callee ? FLAG_CALLEE : 0) | (name ? FLAG_NAME : 0);
  body.set(d.secretKey.subarray(32), 2);
  body.set(d.invitation, 34);
  view.setUint32(42, d.createdAt);
  view.setUint32(46, d.createdAt + d.lifetimeS);
  let at = HEAD;
  if (callee) {
    body.set(callee, at);
    at += 32;
  }
  if (name) {
    body[at] = name.length;
    body.set(name, at + 1);
  }
  const signature = ed25519.sign(signed(body), d.secretKey.subarray(0, 32));
  const out = new Uint8Array(body.length + SIGNATURE);
  out.set(body);
  out.set(signature, body.length);
  return encodeBase64url(out);
}

export function linkUrl(payload: string, host = DEFAULT_LINK_HOST): string {
  return `https://${host}/call#${payload}`;
}

// Checks structure and signature; time and callee are checked by `checkLink`.
export function decodeLinkPayload(payload: string): CallLink {
  if (payload.length > MAX_PAYLOAD_CHARS) throw new LinkError('TOO_LARGE', 'this is too long to be a call link');
  const bytes = decodeBase64url(payload);
  if (!bytes || bytes.length < HEAD + SIGNATURE) throw new LinkError('MALFORMED', 'this call link is damaged or incomplete');
  if (bytes[0] !== LINK_VERSION) throw new LinkError('UNSUPPORTED_VERSION', 'this call link is from a newer Copybara; update to answer it');
  const flags = bytes[1]!;
  if (flags & ~(FLAG_CALLEE | FLAG_NAME))
    throw new LinkError('UNSUPPORTED_VERSION', 'this call link uses features this Copybara does not know');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = HEAD;
  let callee: string | null = null;
  let name: string | null = null;
  const bodyEnd = bytes.length - SIGNATURE;
  if (flags & FLAG_CALLEE) {
    if (at + 32 > bodyEnd) throw new LinkError('MALFORMED', 'this call link is damaged or incomplete');
    callee = encodeNodeId(bytes.subarray(at, at + 32));
    at += 32;
  }
  if (flags & FLAG_NAME) {
    const len = bytes[at] ?? 0;
    if (len === 0 || len > MAX_NAME_BYTES || at + 1 + len > bodyEnd)
      throw new LinkError('MALFORMED', 'this call link is damaged or incomplete');
    try {
      name = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at + 1, at + 1 + len));
    } catch {
      throw new LinkError('MALFORMED', 'the name in this call link is not valid text');
    }
    at += 1 + len;
  }
  if (at !== bodyEnd) throw new LinkError('MALFORMED', 'this call link is damaged or incomplete');
  const body = bytes.subarray(0, bodyEnd);
  const key = bytes.subarray(2, 34);
  let valid = false;
  try {
    valid = ed25519.verify(bytes.subarray(bodyEnd), signed(body), key);
  } catch {
    valid = false;
  }
  if (!valid) throw new LinkError('BAD_SIGNATURE', 'this call link was altered, or not made by the node it names');
  const createdAt = view.getUint32(42);
  const expiresAt = view.getUint32(46);
  if (expiresAt <= createdAt || expiresAt - createdAt > MAX_LINK_LIFETIME_S) {
    throw new LinkError('MALFORMED', 'this call link has impossible times');
  }
  return {
    caller: encodeNodeId(key),
    invitation: hex(bytes.subarray(34, 42)),
    createdAt,
    expiresAt,
    callee,
    name,
  };
}

export function checkLink(link: CallLink, nowS: number, self: string | null): CallLink {
  if (link.createdAt > nowS + CLOCK_SKEW_S)
    throw new LinkError('NOT_YET_VALID', "this call link is dated in the future; check this computer's clock");
  if (link.expiresAt <= nowS) throw new LinkError('EXPIRED', 'this call link has expired; ask for a new one');
  if (link.callee && self && link.callee !== self) throw new LinkError('WRONG_CALLEE', 'this call link was made for someone else');
  return link;
}

function signed(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(SIGNING_CONTEXT.length + body.length);
  out.set(SIGNING_CONTEXT);
  out.set(body, SIGNING_CONTEXT.length);
  return out;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
