import { LinkError } from '../../lib/links/errors';
import { findLinksInText } from '../../lib/links/find';
import { DEFAULT_LINK_LIFETIME_S, checkLink, decodeLinkPayload, linkUrl } from '../../lib/links/link';
import type { LinkInfo } from '../../lib/protocol/native';
import { Invitations } from '../node/calls/invitations';
import { requestOnce } from '../common/node-client';
import { loadIdentity } from '../node/identity';
import { type Profile, ensureProfile } from '../common/profile';

// `copybara-host link`: make a call link signed by this profile's node key, or check one.

// The running node issues the link when there is one, so it knows the invitation at once;
// otherwise the invitation is written to the profile for the node to find when it starts.
export async function makeLink(
  profile: Profile,
  opts: { name: string | null; lifetimeS: number | null; host: string | null },
): Promise<string> {
  const fields = { ...(opts.name ? { name: opts.name } : {}), ...(opts.lifetimeS ? { lifetimeS: opts.lifetimeS } : {}) };
  let info: LinkInfo | null = null;
  try {
    info = (await requestOnce(profile.socketPath, 'link', 5000, fields)) as LinkInfo;
  } catch (err) {
    if (!(err instanceof Error) || !/ENOENT|ECONNREFUSED/.test(err.message)) throw err;
  }
  if (!info) {
    await ensureProfile(profile);
    const identity = await loadIdentity(profile);
    const nowS = Math.floor(Date.now() / 1000);
    const invitations = new Invitations(profile.invitationsFile, identity.secretKey);
    await invitations.load(nowS);
    info = invitations.issue({ nowS, lifetimeS: opts.lifetimeS ?? DEFAULT_LINK_LIFETIME_S, name: opts.name });
    await invitations.flush();
  }
  return opts.host ? linkUrl(info.payload, opts.host) : info.url;
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
      return { ok: true, lines: [...lines, "valid: signed by the caller's node key"] };
    } catch (err) {
      return { ok: false, lines: [...lines, `not valid: ${(err as Error).message}`] };
    }
  } catch (err) {
    if (err instanceof LinkError) return { ok: false, lines: [`not valid: ${err.message}`] };
    throw err;
  }
}
