import { randomBytes } from 'node:crypto';
import { LinkError } from '../lib/links/errors';
import { findLinksInText } from '../lib/links/find';
import { DEFAULT_LINK_HOST, DEFAULT_LINK_LIFETIME_S, checkLink, createLinkPayload, decodeLinkPayload, linkUrl } from '../lib/links/link';
import { loadIdentity } from './identity';
import { type Profile, ensureProfile } from './profile';

// `copybara-host link`: make a call link signed by this profile's node key, or check one.

export async function makeLink(profile: Profile, opts: { name: string | null; lifetimeS: number | null; host: string | null }): Promise<string> {
  await ensureProfile(profile);
  const identity = await loadIdentity(profile);
  const payload = createLinkPayload({
    secretKey: identity.secretKey,
    invitation: randomBytes(8),
    createdAt: Math.floor(Date.now() / 1000),
    lifetimeS: opts.lifetimeS ?? DEFAULT_LINK_LIFETIME_S,
    name: opts.name,
  });
  return linkUrl(payload, opts.host ?? DEFAULT_LINK_HOST);
}

// Returns the lines to print and whether the link can be answered now.
export function describeLink(text: string, nowS = Math.floor(Date.now() / 1000)): { ok: boolean; lines: string[] } {
  const found = findLinksInText(text.trim(), 1)[0];
  const payload = found ? found.payload : text.trim();
  try {
    const link = decodeLinkPayload(payload);
    const lines = [
      `caller      ${link.caller}`,
      `name        ${link.name ? `${link.name} (claimed; not yet checked against the name service)` : '(none)'}`,
      `invitation  ${link.invitation}`,
      `created     ${new Date(link.createdAt * 1000).toISOString()}`,
      `expires     ${new Date(link.expiresAt * 1000).toISOString()}`,
      `for         ${link.callee ?? 'anyone'}`,
    ];
    try {
      checkLink(link, nowS, null);
      return { ok: true, lines: [...lines, 'valid: signed by the caller\'s node key'] };
    } catch (err) {
      return { ok: false, lines: [...lines, `not valid: ${(err as Error).message}`] };
    }
  } catch (err) {
    if (err instanceof LinkError) return { ok: false, lines: [`not valid: ${err.message}`] };
    throw err;
  }
}
