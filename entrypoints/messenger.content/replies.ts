import { displayName } from '../../lib/links/decorate';

// Replies of the background to answer-link and link-status, read loosely: the background
// may not know these messages yet, and a reply is `unknown` until read here.

// `{ ok: false, error: { message } }` is shown to the person as the reason.
export function replyError(reply: unknown): string | null {
  const r = reply as { ok?: unknown; error?: { message?: unknown } } | null;
  if (typeof r !== 'object' || r === null || r.ok !== false) return null;
  const message = typeof r.error?.message === 'string' ? r.error.message : 'the extension refused';
  return displayName(message, 200);
}

// A link-status reply naming the verified owner of the link's node:
// `{ ok: true, result: { name: string, verified: true } }`; anything else is no name.
export function verifiedName(reply: unknown): string | null {
  const r = reply as { ok?: unknown; result?: { name?: unknown; verified?: unknown } } | null;
  if (typeof r !== 'object' || r === null || r.ok !== true) return null;
  const { name, verified } = r.result ?? {};
  return verified === true && typeof name === 'string' && name.length > 0 && name.length <= 253 ? name : null;
}
