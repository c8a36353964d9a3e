import { CopybaraError, toErrorInfo } from '../../lib/errors';
import type { CallPageMessage, CallPageRequest, HostState, PopupRequest, PopupResults, PopupView, Reply } from '../../lib/ext/messages';
import { decodeCallPageMessage, decodePopupRequest } from '../../lib/ext/messages';
import { CALL_BROWSER } from '../../lib/ext/browser-features';
import { asLinkMessage } from '../../lib/ext/link-flow';
import { decodeLinkHostsRequest, isLinkHostsRequest, linkHostsUpdate } from '../../lib/ext/link-hosts-message';
import { dialledName } from '../../lib/ext/verification';
import type { Resolution } from '../../lib/names/types';
import { isNodeId, normaliseNodeId } from '../../lib/node-id';
import type { CallInfo, NetworkName, NodeEvent, NodeStatus } from '../../lib/protocol/native';
import type { CallBook } from './call-book';
import type { IncomingCalls } from './incoming-call';
import type { LinkFlow } from './links';
import { warnFailed } from './log';
import type { NameService } from './names';
import type { NativePort } from './native-port';
import { type PageHub, type PagePort, send } from './pages';
import type { PublishFlow } from './publish';
import { type LinkOrigins, type Own, type Sender, linkSenderKind, mayAskPopupRequests, mayRequest, ourPage, portKind } from './senders';
import type { Views } from './views';

// The background's handlers, one named entry for everything that can happen: popup
// requests, call page messages, node events, notification clicks, closed tabs. Who may
// ask is senders.ts; what a call's change means (ring, check, decline, hang up) is
// incoming-call.ts; the parts are built in compose.ts; index.ts registers listeners.

export interface RouterParts {
  native: NativePort;
  book: CallBook;
  pages: PageHub;
  views: Views;
  names: NameService;
  links: LinkFlow;
  publish: PublishFlow;
  calls: IncomingCalls;
  showCallTab(callId: string, known: number | null): Promise<number>;
  notificationCallId(notificationId: string): string | null;
  own: Own;
  // Read per message: the sites the person opted in to can change at any time.
  linkOrigins(): Promise<LinkOrigins>;
  myName(): Promise<string | null>;
  // The network the person prefers for calls that can take either.
  network(): Promise<NetworkName>;
  linkHost(): Promise<string>;
  // Sends the block list and "only contacts" to the node (compose.ts).
  syncRingPolicy(): void;
  // The node's proxy for .azero sites is on this port: route those hosts to it (site-proxy.ts).
  siteProxy(port: number): void;
  // Tells the node's site proxy the name service endpoints of the settings (compose.ts).
  syncSiteNames(): void;
  now(): number;
}

export function createRouter(parts: RouterParts) {
  const { native, book, pages, views, names, links, calls } = parts;

  const popup = {
    async view(): Promise<PopupView> {
      return views.view();
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
      if (target === views.nodeId) throw CopybaraError.SELF_CALL();
      const dialled = req.name ? names.confirmed(req.name, target) : null;
      const claim = await parts.myName();
      // The callee's Staex id only from our own lookup of the name, never from the page.
      const staexId = dialled?.records.staexId ?? null;
      const network = await parts.network();
      const placed = await native.request({
        type: 'call',
        target,
        ...(claim ? { name: claim } : {}),
        ...(staexId ? { staexId } : {}),
        network,
      });
      if (dialled) book.setVerification(placed.callId, dialledName(dialled));
      const call = calls.applyCall(placed);
      // The call is placed either way; a tab that fails to open is found again via the popup.
      await parts
        .showCallTab(call.callId, null)
        .then((tabId) => book.setTab(call.callId, tabId))
        .catch(warnFailed('opening the call tab'));
      return call;
    },
    async focus(req: { callId: string }): Promise<null> {
      if (!book.get(req.callId)) throw CopybaraError.UNKNOWN_CALL(req.callId);
      book.setTab(req.callId, await parts.showCallTab(req.callId, book.tab(req.callId)));
      return null;
    },
    async retry(): Promise<null> {
      native.retryNow();
      return null;
    },
    'make-link': (req: { callee?: string }) => links.makeLink(req.callee ?? null),
    'wait-link': (req: { invitation: string; expiresAt: number }) => links.openWaiting(req),
    publish: () => parts.publish.open(),
    site: (req: { port?: number | null }) => native.request(req.port === undefined ? { type: 'site' } : { type: 'site', port: req.port }),
  } satisfies { [K in PopupRequest['type']]: (req: Extract<PopupRequest, { type: K }>) => Promise<PopupResults[K]> };

  const page = {
    connected(port: PagePort): void {
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
    },
    watch(msg: { callId: string }, port: PagePort): void {
      // One page per call (a duplicated tab is a second): each page sets up its own media
      // connection, and a second answer to the one offer ends the call.
      if (pages.watchers(msg.callId).some((other) => other !== port)) {
        send(port, { type: 'gone', callId: msg.callId, error: toErrorInfo(CopybaraError.SHOWN_ELSEWHERE()) });
        return;
      }
      pages.watch(port, msg.callId);
      const tabId = port.sender?.tab?.id;
      if (tabId !== undefined) book.setTab(msg.callId, tabId);
      send(port, { type: 'host', host: native.host });
      const call = book.get(msg.callId);
      if (!call) {
        // Until the node's status arrives we cannot tell; node.status() settles it.
        if (native.ready) send(port, { type: 'gone', callId: msg.callId, error: toErrorInfo(CopybaraError.UNKNOWN_CALL(msg.callId)) });
        return;
      }
      send(port, { type: 'call', ...views.entry(call) });
      for (const signal of book.takeSignals(msg.callId)) send(port, { type: 'signal', callId: msg.callId, signal });
      if (book.takeAnswerRequest(msg.callId)) send(port, { type: 'answer-now', callId: msg.callId });
    },
    // answer, decline, hangup, turn, signal: forwarded to the node for the watched call.
    request(msg: CallPageRequest, port: PagePort): void {
      const reply = (r: Reply<unknown>) => send(port, { type: 'reply', id: msg.id, ...r });
      if (pages.watched(port) !== msg.callId) {
        reply({ ok: false, error: toErrorInfo(CopybaraError.CALL_NOT_ALLOWED('this page shows a different call')) });
        return;
      }
      // Posted to the node synchronously, so signals keep their order.
      const pending: Promise<unknown> =
        msg.type === 'signal'
          ? native.request({ type: 'signal', callId: msg.callId, signal: msg.signal })
          : msg.type === 'turn'
            ? native.request({ type: 'turn', callId: msg.callId, browser: CALL_BROWSER })
            : native.request({ type: msg.type, callId: msg.callId }).then(calls.applyCall);
      pending.then(
        (result) => reply({ ok: true, result }),
        (err: unknown) => reply({ ok: false, error: toErrorInfo(err) }),
      );
    },
    disconnected(port: PagePort): void {
      const callId = pages.removeCallPage(port);
      if (callId) calls.hangupOrphanSoon(callId);
    },
  };

  const node = {
    event(event: NodeEvent): void {
      if (event.event === 'call') {
        calls.apply(book.update(event.call));
        return;
      }
      if (event.event === 'network') {
        views.network = event.network;
        if (event.networks) views.networks = event.networks;
        views.pushView();
        return;
      }
      const delivered = pages.toCall(event.callId, { type: 'signal', callId: event.callId, signal: event.signal });
      if (delivered === 0) book.bufferSignal(event.callId, event.signal);
    },
    status(status: NodeStatus): void {
      parts.syncRingPolicy();
      if (typeof status.proxyPort === 'number') parts.siteProxy(status.proxyPort);
      views.nodeId = status.nodeId;
      views.network = status.network;
      views.networks = status.networks ?? null;
      for (const change of book.resync(status.calls, parts.now())) calls.apply(change);
      for (const callId of pages.watchedCalls()) {
        if (!book.get(callId)) pages.toCall(callId, { type: 'gone', callId, error: toErrorInfo(CopybaraError.UNKNOWN_CALL(callId)) });
      }
      views.pushView();
    },
    host(host: HostState): void {
      // What the node said about the network holds only while we hear from it.
      if (host.kind !== 'ready') views.network = null;
      pages.toAllCallPages({ type: 'host', host });
      views.pushView();
    },
  };

  const notification = {
    clicked(notificationId: string): void {
      const callId = parts.notificationCallId(notificationId);
      if (callId) popup.focus({ callId }).catch(warnFailed('focusing the call tab'));
    },
    // Chromium only: 0 = Answer, 1 = Decline (see surface.showIncoming).
    buttonClicked(notificationId: string, index: number): void {
      const callId = parts.notificationCallId(notificationId);
      if (!callId) return;
      if (index === 0) {
        if (pages.toCall(callId, { type: 'answer-now', callId }) === 0) book.requestAnswer(callId);
        popup.focus({ callId }).catch(warnFailed('focusing the call tab'));
      } else {
        native.request({ type: 'decline', callId }).then(calls.applyCall).catch(warnFailed('declining'));
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

    // storage.onChanged for the settings, contacts or block list.
    ringPolicyChanged(): void {
      if (!native.ready) return;
      parts.syncRingPolicy();
      parts.syncSiteNames();
    },

    // runtime.onMessage: link messages (messenger content scripts, our call page) and the
    // popup's requests. Always answers with a Reply.
    async onMessage(message: unknown, sender: Sender): Promise<Reply<unknown>> {
      try {
        // The messenger script's one question about the settings (storage is closed to it).
        if (isLinkHostsRequest(message)) {
          decodeLinkHostsRequest(message);
          if (linkSenderKind(sender, await parts.linkOrigins()) !== 'content')
            throw CopybaraError.CALL_NOT_ALLOWED('link hosts are told to our messenger scripts only');
          return { ok: true, result: linkHostsUpdate(await parts.linkHost()) };
        }
        const link = asLinkMessage(message);
        if (link) {
          const kind = linkSenderKind(sender, await parts.linkOrigins());
          if (!kind) throw CopybaraError.CALL_NOT_ALLOWED('link messages are accepted from our messenger scripts and call tabs only');
          return await links.message(link, kind, sender.tab!.id!);
        }
        const from = ourPage(sender, parts.own);
        if (!mayAskPopupRequests(from)) throw CopybaraError.CALL_NOT_ALLOWED('messages are accepted from the popup only');
        const req = decodePopupRequest(message);
        if (!mayRequest(from, req.type)) throw CopybaraError.CALL_NOT_ALLOWED('messages are accepted from the popup only');
        const handler = popup[req.type] as (r: PopupRequest) => Promise<unknown>;
        return { ok: true, result: await handler(req) };
      } catch (err) {
        return { ok: false, error: toErrorInfo(err) };
      }
    },

    // runtime.onConnect: "popup", "call" and "link" ports, each from its own page of ours only.
    onConnect(port: PagePort): void {
      switch (portKind(port.name, port.sender, parts.own)) {
        case 'popup':
          pages.addPopup(port);
          port.onDisconnect.addListener(() => {
            pages.removePopup(port);
            // Nobody is left to see a lookup's answer: stop it.
            if (pages.popupCount() === 0) names.cancelAll();
          });
          send(port, { type: 'view', view: views.view() });
          // "…then reopen this popup": opening it is the moment to look for the host again.
          native.retryNow();
          return;
        case 'call':
          return page.connected(port);
        case 'link':
          return links.waitPort(port);
        default:
          port.disconnect();
      }
    },

    onTabRemoved(tabId: number): void {
      const callId = book.callForTab(tabId);
      book.forgetTab(tabId);
      if (callId) calls.hangupOrphan(callId);
    },
  };
}

export type Router = ReturnType<typeof createRouter>;
