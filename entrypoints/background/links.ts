import { type ErrorCode, type ErrorInfo, toErrorInfo } from '../../lib/errors';
import { type NameDecision, checkPayload, nameDecision, payloadFromMenu, payloadFromNavigation } from '../../lib/ext/link-flow';
import { type LinkPush, type LinkReport, type Reply, decodeLinkWait } from '../../lib/ext/messages';
import type { CheckResult, Verification } from '../../lib/ext/verification';
import { linkHosts } from '../../lib/links/host';
import { linkUrl } from '../../lib/links/link';
import type { LinkMessage } from '../../lib/links/scan';
import type { CallInfo, LinkInfo, NativeRequest, NativeResults } from '../../lib/protocol/native';
import type { PagePort } from './pages';
import { send } from './pages';
import { warnFailed as log } from './log';

// Call links in the background (docs/links.md): answering one (a badge's Answer, a click
// on a link in a messenger, the context menu, a navigation to a link's address), and the
// tab that waits for someone to answer ours. router.ts delegates to these handlers.

export interface LinkSurface {
  // Opens one of our pages (e.g. `call.html?preview=…`) in a new tab; its id.
  openPage(path: string): Promise<number>;
  // Shows one of our pages in an existing tab (the preview tab becomes the call).
  replaceTab(tabId: number, path: string): Promise<void>;
  // Whether the tab already shows one of our pages.
  showsOurPage(tabId: number): Promise<boolean>;
  showCallTab(callId: string, known: number | null): Promise<number>;
  // "Cannot answer: <reason>", for the context menu (nothing else on screen to say it).
  cannotAnswer(message: string): Promise<void>;
}

export interface LinkFlowDeps {
  request<K extends NativeRequest['type']>(req: Extract<NativeRequest, { type: K }>): Promise<NativeResults[K]>;
  nodeId(): string | null;
  // Why nothing can be dialled now (no node), in words; null when the node is there.
  hostProblem(): Promise<string | null>;
  checkName(name: string): Promise<CheckResult>;
  myName(): Promise<string | null>;
  // The configured call link host (settings "Call link host"); the default when unset.
  linkHost(): Promise<string>;
  surface: LinkSurface;
  // The call book's bookkeeping for a call we placed or that arrived.
  placed(call: CallInfo, verification: Verification | null): CallInfo;
  setTab(callId: string, tabId: number): void;
  now(): number;
}

const REFUSED = 'LINK_REFUSED' satisfies ErrorCode;

export function createLinkFlow(deps: LinkFlowDeps) {
  // Invitation -> the waiting tab's port.
  const waiting = new Map<string, PagePort>();
  // One check per claimed name at a time (answer-link and link-status arrive together).
  const checks = new Map<string, Promise<CheckResult>>();

  // The hosts a link's address may have here: the default and the configured one.
  async function hosts(): Promise<string[]> {
    return linkHosts(await deps.linkHost().catch(() => null));
  }

  function checkName(name: string): Promise<CheckResult> {
    let p = checks.get(name);
    if (!p) {
      p = deps.checkName(name).finally(() => setTimeout(() => checks.delete(name), 5_000));
      checks.set(name, p);
    }
    return p;
  }

  // Decides about a payload: refused with words, or answerable with what we know of its name.
  async function judge(
    payload: string,
  ): Promise<
    { ok: false; error: ErrorInfo } | { ok: true; decision: Extract<NameDecision, { kind: 'answer' }>; caller: string; invitation: string }
  > {
    const checked = checkPayload(payload, Math.floor(deps.now() / 1000), deps.nodeId());
    if (!checked.ok) return { ok: false, error: { code: REFUSED, message: checked.message } };
    const { link } = checked;
    const decision = nameDecision(link, link.name ? await checkName(link.name) : null);
    if (decision.kind === 'refuse') return { ok: false, error: { code: REFUSED, message: decision.message } };
    return { ok: true, decision, caller: link.caller, invitation: link.invitation };
  }

  function preview(payload: string): Promise<number> {
    return deps.surface.openPage(`call.html?preview=${payload}`);
  }

  // Dials the link's maker and shows the call in `tabId`, the preview tab it was answered in.
  async function answer(payload: string, tabId: number): Promise<Reply<LinkReport>> {
    const judged = await judge(payload);
    if (!judged.ok) return judged;
    const claim = await deps.myName();
    const placed = await deps.request({
      type: 'call',
      target: judged.caller,
      invitation: judged.invitation,
      ...(claim ? { name: claim } : {}),
    });
    const call = deps.placed(placed, judged.decision.verification);
    deps.setTab(call.callId, tabId);
    await deps.surface.replaceTab(tabId, `call.html?call=${call.callId}`).catch(log('showing the call'));
    return { ok: true, result: { ...judged.decision.report, callId: call.callId } };
  }

  return {
    // A link message from a messenger's content script (`content`) or our call page.
    async message(msg: LinkMessage, kind: 'content' | 'page', tabId: number): Promise<Reply<LinkReport>> {
      try {
        // Opening or answering a link needs the node: without one, say so where the person
        // clicked (under the badge) rather than open a tab that cannot call.
        if (msg.type !== 'link-status') {
          const problem = await deps.hostProblem();
          if (problem) return { ok: false, error: { code: 'HOST_MISSING', message: problem } };
        }
        // Only our own preview page dials. A page controls everything around a badge
        // (opacity, overlays, a decoy under it), so one real click there may not be what
        // the person meant: a badge's Answer opens the preview, out of the page's reach.
        if (msg.type === 'answer-link' && kind === 'page') return await answer(msg.payload, tabId);
        const judged = await judge(msg.payload);
        if (!judged.ok) return judged;
        if (msg.type !== 'link-status') await preview(msg.payload);
        return { ok: true, result: judged.decision.report };
      } catch (err) {
        return { ok: false, error: toErrorInfo(err) };
      }
    },

    // The context menu's "Answer Copybara call", on a link or on selected text: opens the
    // preview, where the call is confirmed (the page chose what lies under the pointer).
    async menuClicked(info: { linkUrl?: string; selectionText?: string }): Promise<void> {
      const payload = payloadFromMenu(info, await hosts());
      const problem = payload ? await deps.hostProblem() : null;
      const opened = async (p: string): Promise<Reply<null>> => {
        const judged = await judge(p);
        if (!judged.ok) return judged;
        await preview(p);
        return { ok: true, result: null };
      };
      const reply: Reply<null> = problem
        ? { ok: false, error: { code: 'HOST_MISSING', message: problem } }
        : payload
          ? await opened(payload).catch((err: unknown) => ({ ok: false as const, error: toErrorInfo(err) }))
          : { ok: false, error: { code: REFUSED, message: 'There is no Copybara call link here.' } };
      if (!reply.ok) await deps.surface.cannotAnswer(reply.error.message).catch(log('saying why a link cannot be answered'));
    },

    // A tab navigating to a call link's address: show the preview instead (a rule in
    // public/rules/call-links.json blocks the request itself, so nothing leaves the
    // browser). `failed`: the navigation's error (the block); its error page can win the
    // race against the first replacement, so the tab is replaced again unless it already
    // shows our page.
    async navigated(details: { tabId: number; frameId: number; url: string }, failed = false): Promise<void> {
      if (details.frameId !== 0 || details.tabId < 0) return;
      const payload = payloadFromNavigation(details.url, await hosts());
      if (!payload) return;
      try {
        if (failed && (await deps.surface.showsOurPage(details.tabId))) return;
        await deps.surface.replaceTab(details.tabId, `call.html?preview=${payload}`);
      } catch (err) {
        log('opening a call link')(err);
      }
    },

    // The popup's "Copy call link" (or "Link for…" a callee): issue it; the popup copies the
    // url, then asks to wait. The node signs the payload; the address around it is ours to
    // choose (the host is not signed), so it carries the configured host.
    async makeLink(callee: string | null = null): Promise<LinkInfo> {
      const name = await deps.myName();
      const info = await deps.request({ type: 'link', ...(name ? { name } : {}), ...(callee ? { callee } : {}) });
      const host = await deps.linkHost().catch(() => null);
      return host ? { ...info, url: linkUrl(info.payload, linkHosts(host).at(-1)) } : info;
    },

    async openWaiting(req: { invitation: string; expiresAt: number }): Promise<null> {
      await deps.surface.openPage(`call.html?link=${req.invitation}&expires=${req.expiresAt}`);
      return null;
    },

    // A waiting tab's "link" port: the node waits for the invitation while it is open.
    waitPort(port: PagePort): void {
      let invitation: string | null = null;
      port.onMessage.addListener((message) => {
        let inv: string;
        try {
          inv = decodeLinkWait(message).invitation;
        } catch (err) {
          console.warn('Copybara: ignoring a malformed message from a waiting tab', err);
          return;
        }
        if (invitation) return;
        invitation = inv;
        waiting.set(inv, port);
        deps.request({ type: 'wait-link', invitation: inv, waiting: true }).then(
          () => send(port, { type: 'waiting', invitation: inv } satisfies LinkPush),
          (err: unknown) => send(port, { type: 'failed', error: toErrorInfo(err) } satisfies LinkPush),
        );
      });
      port.onDisconnect.addListener(() => {
        if (!invitation || waiting.get(invitation) !== port) return;
        waiting.delete(invitation);
        deps.request({ type: 'wait-link', invitation, waiting: false }).catch(log('ending the wait for a call link'));
      });
    },

    // A call the node let through because our tab waited for its link: hand it to that
    // tab (active when the link named this caller, else incoming, to confirm there). False
    // when no tab waits for it (incoming-call.ts shows it in a tab of its own).
    arrived(call: CallInfo): boolean {
      if (!call.viaLink || !call.invitation) return false;
      const port = waiting.get(call.invitation);
      if (!port) return false;
      waiting.delete(call.invitation);
      const tabId = port.sender?.tab?.id;
      if (tabId !== undefined) deps.setTab(call.callId, tabId);
      send(port, { type: 'arrived', callId: call.callId } satisfies LinkPush);
      return true;
    },
  };
}

export type LinkFlow = ReturnType<typeof createLinkFlow>;
