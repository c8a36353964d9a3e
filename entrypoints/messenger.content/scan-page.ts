import type { ContentScriptContext } from 'wxt/utils/content-script-context';
import { type Badge, createBadge } from '../../lib/links/decorate';
import { DEFAULT_LINK_HOST } from '../../lib/links/link';
import { createLinkChecker, payloadInHref } from '../../lib/links/scan';
import { send } from './messaging';
import { replyError, verifiedName } from './replies';
import { type LinkScanner, createLinkScanner } from './scanner';
import css from './style.css?inline';

// The scanning entry, shared by the messenger content script (index.ts) and any script
// registered later for a site the person opts in to: finds call links in `messageRoot`,
// puts a badge after each, stops call links from navigating, and talks to the background
// only when the person clicks. Everything it starts is tied to `ctx`.

export interface ScanPageOptions {
  id: string; // for logs
  messageRoot(doc: Document): Element | null; // (doc) => doc.body for a whole page
  hosts?: readonly string[]; // link hosts; DEFAULT_LINK_HOST unless configured
}

export function scanPage(ctx: ContentScriptContext, opts: ScanPageOptions): LinkScanner {
  const hosts = opts.hosts ?? [DEFAULT_LINK_HOST];
  const checker = createLinkChecker();

  async function answer(badge: Badge): Promise<void> {
    const verdict = checker.check(badge.payload, Date.now());
    if (!verdict.ok) {
      badge.update(verdict); // expired since it was found
      return;
    }
    badge.setBusy(true);
    // The background never dials from a badge (the page controls what surrounds it): it
    // opens a Copybara tab where the call is confirmed.
    badge.setStatus('Opening Copybara…');
    const [answered, status] = await Promise.allSettled([
      send({ type: 'answer-link', payload: badge.payload }),
      send({ type: 'link-status', payload: badge.payload }),
    ]);
    if (ctx.isInvalid) return;
    badge.setBusy(false);
    if (answered.status === 'rejected') badge.setStatus('Copybara is not answering; reload this page and try again.');
    else {
      const error = replyError(answered.value);
      badge.setStatus(error ? `Could not answer: ${error}` : 'Opened in a Copybara tab: answer there.');
    }
    const name = status.status === 'fulfilled' ? verifiedName(status.value) : null;
    if (name) badge.update(verdict, name);
  }

  const scanner = createLinkScanner({
    document,
    scope: () => opts.messageRoot(document),
    hosts,
    checker,
    now: () => Date.now(),
    render: (verdict) => createBadge(document, verdict, { css, now: () => Date.now(), onAnswer: (b) => void answer(b) }).host,
    schedule: (run) => void ctx.requestAnimationFrame(run),
    log: (message) => console.info(`Copybara (${opts.id}): ${message}`),
  });
  scanner.start();
  ctx.onInvalidated(() => scanner.stop({ removeBadges: true }));

  // A call link's own address must not be opened as a web page: stop it before the page's
  // handlers see it (capture phase, on window) and hand the payload to the background.
  // Clicks a page script fakes (isTrusted false) are stopped too, but send nothing.
  const onLinkClick = (e: MouseEvent): void => {
    if (e.button !== (e.type === 'auxclick' ? 1 : 0)) return;
    const a = e.composedPath().find((t) => (t as Node).nodeType === 1 && (t as Element).localName === 'a') as HTMLAnchorElement | undefined;
    if (!a || typeof a.href !== 'string') return;
    const payload = payloadInHref(a.href, hosts);
    if (!payload) return;
    e.preventDefault();
    e.stopImmediatePropagation();
    if (!e.isTrusted) return;
    send({ type: 'open-link', payload }).catch((err) => console.warn(`Copybara (${opts.id}): could not open the call link`, err));
  };
  ctx.addEventListener(window, 'click', onLinkClick, { capture: true });
  ctx.addEventListener(window, 'auxclick', onLinkClick, { capture: true });
  return scanner;
}
