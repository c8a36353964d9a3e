import { CopybaraError } from '../../lib/errors';
import {
  CALL_PORT,
  type CallEntry,
  LINK_PORT,
  type CallPageMessage,
  type CallPageRequest,
  POPUP_PORT,
  type PopupRequest,
  type PopupResults,
  type PopupView,
  type Reply,
  decodeCallPageMessage,
  decodePopupRequest,
  errorInfoOf,
} from '../../lib/ext/messages';
import { asLinkMessage, hostProblemText, linkSenderKind } from '../../lib/ext/link-flow';
import type { Settings } from '../../lib/ext/settings';
import { type CallerOutcome, type Verification, callerOutcome, dialledName } from '../../lib/ext/verification';
import type { ChainEndpoints, Resolution } from '../../lib/names/types';
import { isNodeId, normaliseNodeId } from '../../lib/node-id';
import type { CallInfo, NodeEvent, NodeStatus } from '../../lib/protocol/native';
import { CallBook, type Change } from './call-book';
import { type LinkSurface, createLinkFlow } from './links';
import { NameService, type ResolverLike } from './names';
import { NativePort, type NativePortLike } from './native-port';
import { PageHub, type PagePort, send } from './pages';
import { type PublishSurface, createPublishFlow } from './publish';

// The background's brain: one object of named handlers for everything that can happen —
// popup requests, call page messages, node events, notification clicks, closed tabs.
// index.ts only registers listeners that call into it.

export interface Surface extends LinkSurface, PublishSurface {
  showCallTab(callId: string, known: number | null): Promise<number>;
  showIncoming(call: CallInfo, verification: Verification | null): Promise<void>;
  clearIncoming(callId: string): Promise<void>;
  notificationCallId(notificationId: string): string | null;
}

// How long a link message waits for the node connection a just-woken worker starts.
const HOST_SETTLE_MS = 5_000;

export interface RouterDeps {
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
  now?(): number;
  checkTimeoutMs?: number;
}

interface Sender {
  id?: string;
  url?: string;
  tab?: { id?: number };
}

export function createRouter(deps: RouterDeps) {
  const now = deps.now ?? Date.now;
  const { surface } = deps;
  const book = new CallBook();
  const pages = new PageHub();
  const hangingUp = new Set<string>();
  let nodeId: string | null = null;
  let viewQueued = false;
  const names = new NameService({ makeResolver: deps.makeResolver, settings: deps.settings, now, checkTimeoutMs: deps.checkTimeoutMs });
  const links = createLinkFlow({
    hostProblem: async () => hostProblemText(await native.settled(HOST_SETTLE_MS)),
    request: (req) => native.request(req),
    nodeId: () => nodeId,
    checkName: (name) => names.check(name),
    myName: () => myName(),
    linkHost: async () => (await deps.settings()).linkHost,
    surface,
    placed(call, verification) {
      if (verification) book.setVerification(call.callId, verification);
      return applyCall(call);
    },
    setTab: (callId, tabId) => book.setTab(callId, tabId),
    now,
  });

  const publish = createPublishFlow({ request: (req) => native.request(req), settings: deps.settings, surface });

  const native = new NativePort({
    connect: deps.connectNative,
    lastError: deps.lastError,
    onEvent: (event) => node.event(event),
    onHost: (host) => {
      pages.toAllCallPages({ type: 'host', host });
      pushView();
    },
    onStatus: (status) => node.status(status),
    now,
  });

  function entry(call: CallInfo): CallEntry {
    return { call, verification: book.verification(call.callId) };
  }

  function view(): PopupView {
    return { host: native.host, nodeId, calls: book.live().filter((c) => !book.held(c.callId)).map(entry) };
  }

  function pushCall(call: CallInfo): void {
    pages.toCall(call.callId, { type: 'call', ...entry(call) });
  }

  // Coalesces the updates of one turn of the event loop into one push per popup.
  function pushView(): void {
    if (viewQueued) return;
    viewQueued = true;
    queueMicrotask(() => {
      viewQueued = false;
      pages.toPopups({ type: 'view', view: view() });
    });
  }

  function fromOurPage(sender: Sender | undefined, page: string): boolean {
    return sender?.id === deps.extensionId && (sender.url ?? '').startsWith(deps.extensionUrl + page);
  }

  function log(what: string) {
    return (err: unknown) => console.warn(`Copybara: ${what} failed`, err);
  }

  // Every CallInfo that reaches us (event, reply, re-sync) goes through here.
  function apply(change: Change | null): void {
    if (!change) return;
    const { call, previous } = change;
    pushCall(call);
    pushView();
    const wasIncoming = previous?.state === 'incoming';
    if (call.viaLink && previous === null && call.state !== 'ended') {
      // Our own link, answered while a tab of ours waited for it: that tab becomes the
      // call (no ringing). With no such tab (the worker restarted) it gets a tab of its own.
      if (!links.arrived(call)) ring(call, false);
      if (call.peerName !== null && book.verification(call.callId) === null) void checkCaller(call, call.peerName);
    }
    if (call.state === 'incoming' && !wasIncoming) {
      // A caller who claims a name rings only once the claim has been checked.
      if (call.peerName !== null && book.verification(call.callId) === null) void checkCaller(call, call.peerName);
      else ring(call);
    } else if (wasIncoming && call.state !== 'incoming') {
      surface.clearIncoming(call.callId).catch(log('clearing the notification'));
    }
    if (call.state === 'ended') book.prune(now());
  }

  function ring(call: CallInfo, notify = true): void {
    surface
      .showCallTab(call.callId, book.tab(call.callId))
      .then((tabId) => book.setTab(call.callId, tabId))
      .catch(log('opening the call tab'));
    if (notify) surface.showIncoming(call, book.verification(call.callId)).catch(log('showing the notification'));
  }

  // Resolves the name an incoming caller claims (bounded) and compares it with the key
  // that calls: rings, or declines without ringing (lib/ext/verification.ts decides).
  async function checkCaller(call: CallInfo, claimed: string): Promise<void> {
    const { callId } = call;
    book.setVerification(callId, { status: 'checking', name: claimed });
    let outcome: CallerOutcome;
    try {
      const result = await names.check(claimed);
      outcome = callerOutcome(call, result, await deps.settings());
    } catch (err) {
      outcome = { verification: { status: 'unverifiable', name: claimed, error: errorInfoOf(err) }, ring: true };
    }
    book.setVerification(callId, outcome.verification);
    const current = book.get(callId);
    if (!current) return;
    pushCall(current);
    pushView();
    if (current.state !== 'incoming') return; // the caller gave up while we checked
    if (outcome.ring) ring(current);
    else native.request({ type: 'decline', callId }).then(applyCall).catch(log('declining a caller whose name is not theirs'));
  }

  async function myName(): Promise<string | null> {
    try {
      return (await deps.settings()).myName;
    } catch (err) {
      log('reading the settings')(err);
      return null;
    }
  }

  function applyCall(call: CallInfo): CallInfo {
    apply(book.update(call));
    return book.get(call.callId) ?? call;
  }

  // Hangs up a call nobody is looking at any more (its tab closed).
  function hangupOrphan(callId: string): void {
    const call = book.get(callId);
    if (!call || call.state === 'ended' || hangingUp.has(callId) || pages.watchers(callId).length > 0) return;
    hangingUp.add(callId);
    native
      .request({ type: 'hangup', callId })
      .then(applyCall)
      .catch(log('hanging up a closed call tab'))
      .finally(() => hangingUp.delete(callId));
  }

  const popup = {
    async view(): Promise<PopupView> {
      return view();
    },
    async resolve(req: { name: string; requestId: string }): Promise<Resolution> {
      return names.lookup(req.requestId, req.name);
    },
    async cancel(req: { requestId: string }): Promise<null> {
      names.cancel(req.requestId);
      return null;
    },
    // `name`: the name the popup resolved the target from; shown for the call only if our
    // own lookup found that node for it.
    async call(req: { target: string; name?: string }): Promise<CallInfo> {
      const target = normaliseNodeId(req.target);
      if (!isNodeId(target)) throw CopybaraError.BAD_NODE_ID('that is not a node id');
      if (target === nodeId) throw CopybaraError.SELF_CALL();
      const dialled = req.name ? names.confirmed(req.name, target) : null;
      const claim = await myName();
      const placed = await native.request({ type: 'call', target, ...(claim ? { name: claim } : {}) });
      if (dialled) book.setVerification(placed.callId, dialledName(dialled));
      const call = applyCall(placed);
      // The call is placed either way; a tab that fails to open is found again via the popup.
      await surface
        .showCallTab(call.callId, null)
        .then((tabId) => book.setTab(call.callId, tabId))
        .catch(log('opening the call tab'));
      return call;
    },
    async focus(req: { callId: string }): Promise<null> {
      if (!book.get(req.callId)) throw CopybaraError.UNKNOWN_CALL(req.callId);
      book.setTab(req.callId, await surface.showCallTab(req.callId, book.tab(req.callId)));
      return null;
    },
    async retry(): Promise<null> {
      native.retryNow();
      return null;
    },
    'make-link': () => links.makeLink(),
    'wait-link': (req: { invitation: string; expiresAt: number }) => links.openWaiting(req),
    publish: () => publish.open(),
  } satisfies { [K in PopupRequest['type']]: (req: Extract<PopupRequest, { type: K }>) => Promise<PopupResults[K]> };

  const page = {
    watch(msg: { callId: string }, port: PagePort): void {
      pages.watch(port, msg.callId);
      const tabId = port.sender?.tab?.id;
      if (tabId !== undefined) book.setTab(msg.callId, tabId);
      send(port, { type: 'host', host: native.host });
      const call = book.get(msg.callId);
      if (!call) {
        // Until the node's status arrives we cannot tell; node.status() settles it.
        if (native.ready) send(port, { type: 'gone', callId: msg.callId, error: errorInfoOf(CopybaraError.UNKNOWN_CALL(msg.callId)) });
        return;
      }
      send(port, { type: 'call', ...entry(call) });
      for (const signal of book.takeSignals(msg.callId)) send(port, { type: 'signal', callId: msg.callId, signal });
      if (book.takeAnswerRequest(msg.callId)) send(port, { type: 'answer-now', callId: msg.callId });
    },
    // answer, decline, hangup, turn, signal: forwarded to the node for the watched call.
    request(msg: CallPageRequest, port: PagePort): void {
      const reply = (r: Reply<unknown>) => send(port, { type: 'reply', id: msg.id, ...r });
      if (pages.watched(port) !== msg.callId) {
        reply({ ok: false, error: errorInfoOf(CopybaraError.CALL_NOT_ALLOWED('this page shows a different call')) });
        return;
      }
      // Posted to the node synchronously, so signals keep their order.
      const pending: Promise<unknown> =
        msg.type === 'signal'
          ? native.request({ type: 'signal', callId: msg.callId, signal: msg.signal })
          : msg.type === 'turn'
            ? native.request({ type: 'turn', callId: msg.callId })
            : native.request({ type: msg.type, callId: msg.callId }).then(applyCall);
      pending.then(
        (result) => reply({ ok: true, result }),
        (err: unknown) => reply({ ok: false, error: errorInfoOf(err) }),
      );
    },
    disconnected(port: PagePort): void {
      const callId = pages.removeCallPage(port);
      if (callId) hangupOrphan(callId);
    },
  };

  const node = {
    event(event: NodeEvent): void {
      if (event.event === 'call') {
        apply(book.update(event.call));
        return;
      }
      const delivered = pages.toCall(event.callId, { type: 'signal', callId: event.callId, signal: event.signal });
      if (delivered === 0) book.bufferSignal(event.callId, event.signal);
    },
    status(status: NodeStatus): void {
      nodeId = status.nodeId;
      for (const change of book.resync(status.calls, now())) apply(change);
      for (const callId of pages.watchedCalls()) {
        if (!book.get(callId)) {
          pages.toCall(callId, { type: 'gone', callId, error: errorInfoOf(CopybaraError.UNKNOWN_CALL(callId)) });
        }
      }
      pushView();
    },
  };

  const notification = {
    clicked(notificationId: string): void {
      const callId = surface.notificationCallId(notificationId);
      if (callId) popup.focus({ callId }).catch(log('focusing the call tab'));
    },
    // Chromium only: 0 = Answer, 1 = Decline (see surface.showIncoming).
    buttonClicked(notificationId: string, index: number): void {
      const callId = surface.notificationCallId(notificationId);
      if (!callId) return;
      if (index === 0) {
        if (pages.toCall(callId, { type: 'answer-now', callId }) === 0) book.requestAnswer(callId);
        popup.focus({ callId }).catch(log('focusing the call tab'));
      } else {
        native.request({ type: 'decline', callId }).then(applyCall).catch(log('declining'));
      }
    },
  };

  return {
    popup,
    page,
    node,
    notification,
    native,
    names,
    links,

    start(): void {
      native.start();
    },

    // runtime.onMessage: the popup's requests. Always answers with a Reply.
    async onMessage(message: unknown, sender: Sender): Promise<Reply<unknown>> {
      try {
        const link = asLinkMessage(message);
        if (link) {
          const sites = (await deps.siteMatches?.().catch(() => [])) ?? [];
          const kind = linkSenderKind(sender, { extensionId: deps.extensionId, extensionUrl: deps.extensionUrl, contentMatches: [...(deps.contentMatches ?? []), ...sites] });
          if (!kind) throw CopybaraError.CALL_NOT_ALLOWED('link messages are accepted from our messenger scripts and call tabs only');
          return await links.message(link, kind, sender.tab!.id!);
        }
        const fromPopup = fromOurPage(sender, 'popup.html');
        // The options page may only open the publishing page (components/PublishButton.svelte).
        if (!fromPopup && !fromOurPage(sender, 'options.html')) throw CopybaraError.CALL_NOT_ALLOWED('messages are accepted from the popup only');
        const req = decodePopupRequest(message);
        if (!fromPopup && req.type !== 'publish') throw CopybaraError.CALL_NOT_ALLOWED('messages are accepted from the popup only');
        const handler = popup[req.type] as (r: PopupRequest) => Promise<unknown>;
        return { ok: true, result: await handler(req) };
      } catch (err) {
        return { ok: false, error: errorInfoOf(err) };
      }
    },

    // runtime.onConnect: "popup" and "call" ports from our own pages only.
    onConnect(port: PagePort): void {
      if (port.name === POPUP_PORT && fromOurPage(port.sender, 'popup.html')) {
        pages.addPopup(port);
        port.onDisconnect.addListener(() => {
          pages.removePopup(port);
          // Nobody is left to see a lookup's answer: stop it.
          if (pages.popupCount() === 0) names.cancelAll();
        });
        send(port, { type: 'view', view: view() });
        // "…then reopen this popup": opening it is the moment to look for the host again.
        native.retryNow();
        return;
      }
      if (port.name === CALL_PORT && fromOurPage(port.sender, 'call.html')) {
        pages.addCallPage(port);
        port.onDisconnect.addListener(() => page.disconnected(port));
        port.onMessage.addListener((message) => {
          let msg: CallPageMessage;
          try {
            msg = decodeCallPageMessage(message);
          } catch (err) {
            console.warn('Copybara: ignoring a malformed message from a call page', err);
            return;
          }
          if (msg.type === 'watch') page.watch(msg, port);
          else page.request(msg, port);
        });
        return;
      }
      if (port.name === LINK_PORT && fromOurPage(port.sender, 'call.html')) {
        links.waitPort(port);
        return;
      }
      port.disconnect();
    },

    onTabRemoved(tabId: number): void {
      const callId = book.callForTab(tabId);
      book.forgetTab(tabId);
      if (callId) hangupOrphan(callId);
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
