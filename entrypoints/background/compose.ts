import { hostProblemText } from '../../lib/ext/link-flow';
import type { RingPolicy } from '../../lib/ext/blocked';
import type { Settings } from '../../lib/ext/settings';
import type { Verification } from '../../lib/ext/verification';
import type { ChainEndpoints } from '../../lib/names/types';
import type { CallInfo } from '../../lib/protocol/native';
import { CallBook } from './call-book';
import { createIncomingCalls } from './incoming-call';
import { type LinkSurface, createLinkFlow } from './links';
import { warnFailed } from './log';
import { NameService, type ResolverLike } from './names';
import { NativePort, type NativePortLike } from './native-port';
import { PageHub } from './pages';
import { type PublishSurface, createPublishFlow } from './publish';
import { type Router, createRouter } from './router';
import { Views } from './views';

// Builds the background's parts and hands them to the router. Everything the browser
// provides comes in through BackgroundDeps, so tests build the same background over fakes
// (testkit/ext/router-harness.ts) and index.ts over the real browser.

export interface Surface extends LinkSurface, PublishSurface {
  showCallTab(callId: string, known: number | null): Promise<number>;
  showIncoming(call: CallInfo, verification: Verification | null): Promise<void>;
  clearIncoming(callId: string): Promise<void>;
  notificationCallId(notificationId: string): string | null;
}

// How long a link message waits for the node connection a just-woken worker starts.
const HOST_SETTLE_MS = 5_000;

export interface BackgroundDeps {
  connectNative(): NativePortLike;
  lastError(): string | null;
  surface: Surface;
  // URL prefix of our own pages (runtime.getURL('/')) and our id, to check senders.
  extensionUrl: string;
  extensionId: string;
  // The content scripts' match patterns (manifest): link messages come from there.
  contentMatches?: readonly string[];
  // Match patterns of the sites the person opted in to (link-sites.ts): link messages come
  // from there too.
  siteMatches?(): Promise<readonly string[]>;
  // Settings as stored now (lib/ext/settings.ts), read for every call and every lookup.
  settings(): Promise<Settings>;
  // A name resolver for these endpoints (lib/names NameResolver, with the storage cache).
  makeResolver(endpoints: ChainEndpoints): ResolverLike;
  // Who may ring (blocked keys; only contacts?), from storage; the node enforces it.
  ringPolicy?(): Promise<RingPolicy>;
  // Routes .azero, .a0 and .tzero hosts to the node's site proxy on this port.
  siteProxy?(port: number): void;
  now?(): number;
  checkTimeoutMs?: number;
}

export function composeBackground(deps: BackgroundDeps): Router {
  const now = deps.now ?? Date.now;
  const { surface } = deps;
  const book = new CallBook();
  const pages = new PageHub();
  // The node port reports to the router, which needs the port: the port's callbacks only
  // run once start() is called, after the router exists.
  const native: NativePort = new NativePort({
    connect: deps.connectNative,
    lastError: deps.lastError,
    onEvent: (event) => router.node.event(event),
    onHost: (host) => router.node.host(host),
    onStatus: (status) => router.node.status(status),
    now,
  });
  const views = new Views(book, pages, () => native.host);
  const names = new NameService({ makeResolver: deps.makeResolver, settings: deps.settings, now, checkTimeoutMs: deps.checkTimeoutMs });

  // A name we cannot read is no name: the call goes out without a claim.
  async function myName(): Promise<string | null> {
    try {
      return (await deps.settings()).myName;
    } catch (err) {
      warnFailed('reading the settings')(err);
      return null;
    }
  }

  // The incoming calls and the link flow need each other (a link's call arrives as an
  // incoming call; an answered link is recorded like one): each only calls the other later.
  const calls = createIncomingCalls({
    book,
    pushCall: (call) => views.pushCall(call),
    pushView: () => views.pushView(),
    showCallTab: (callId, known) => surface.showCallTab(callId, known),
    replaceTab: (tabId, path) => surface.replaceTab(tabId, path),
    showsOurPage: (tabId) => surface.showsOurPage(tabId),
    showIncoming: (call, verification) => surface.showIncoming(call, verification),
    clearIncoming: (callId) => surface.clearIncoming(callId),
    checkName: (name) => names.check(name),
    settings: deps.settings,
    decline: (callId) => native.request({ type: 'decline', callId }),
    hangup: (callId) => native.request({ type: 'hangup', callId }),
    linkArrived: (call) => links.arrived(call),
    watchers: (callId) => pages.watchers(callId).length,
    now,
  });

  const links = createLinkFlow({
    hostProblem: async () => hostProblemText(await native.settled(HOST_SETTLE_MS)),
    request: (req) => native.request(req),
    nodeId: () => views.nodeId,
    checkName: (name) => names.check(name),
    myName,
    linkHost: async () => (await deps.settings()).linkHost,
    surface,
    placed(call, verification) {
      if (verification) book.setVerification(call.callId, verification);
      return calls.applyCall(call);
    },
    setTab: (callId, tabId) => book.setTab(callId, tabId),
    now,
  });

  const publish = createPublishFlow({ request: (req) => native.request(req), settings: deps.settings, surface });

  // The node keeps who may ring only in memory: it is told on every (re)connect, before
  // anything else, and on every change of the settings, contacts or block list.
  function syncRingPolicy(): void {
    if (!deps.ringPolicy) return;
    deps
      .ringPolicy()
      .then((policy) => native.request({ type: 'ring-policy', ...policy }))
      .catch(warnFailed('telling the node who may ring'));
  }

  // The node's site proxy looks names up on the same endpoints as the browser, and picks the
  // network as calls do: told on every (re)connect and on every change of the settings.
  function syncSiteNames(): void {
    deps
      .settings()
      .then(({ endpoints, network }) => native.request({ type: 'site', endpoints, network }))
      .catch(warnFailed('telling the node the name service endpoints'));
  }

  const own = { extensionId: deps.extensionId, extensionUrl: deps.extensionUrl };
  const router: Router = createRouter({
    native,
    book,
    pages,
    views,
    names,
    links,
    publish,
    calls,
    showCallTab: (callId, known) => surface.showCallTab(callId, known),
    notificationCallId: (id) => surface.notificationCallId(id),
    own,
    async linkOrigins() {
      const sites = (await deps.siteMatches?.().catch(() => [])) ?? [];
      return { ...own, contentMatches: [...(deps.contentMatches ?? []), ...sites] };
    },
    myName,
    linkHost: async () => (await deps.settings()).linkHost,
    network: async () => (await deps.settings()).network,
    syncRingPolicy,
    siteProxy: (port) => {
      deps.siteProxy?.(port);
      syncSiteNames();
    },
    syncSiteNames,
    now,
  });
  return router;
}
