import DHT from 'hyperdht';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultSettings } from '../../../lib/ext/settings';
import { createLinkPayload } from '../../../lib/links/link';
import { encodeNodeId } from '../../../lib/node-id';
import type { CallInfo } from '../../../lib/protocol/native';
import { FakePagePort, resolution } from '../../../testkit/ext/fakes';
import { EXT, routerHarness } from '../../../testkit/ext/router-harness';
import { CALL_ID, callInfo } from '../../../testkit/ext/fixtures';

// The background's call-link flow (entrypoints/background/links.ts) through the router,
// with a fake node and a fake name resolver.

const SELF = encodeNodeId(Buffer.alloc(32, 4));
const alice = DHT.keyPair(Buffer.alloc(32, 1));
const mallory = DHT.keyPair(Buffer.alloc(32, 3));
const ALICE = encodeNodeId(alice.publicKey);
const TELEGRAM = { id: 'ext', url: 'https://web.telegram.org/k/', tab: { id: 5 } };
const INVITATION = '0505050505050505';

function payload(over: { name?: string; secretKey?: Uint8Array } = {}): string {
  return createLinkPayload({
    secretKey: alice.secretKey,
    invitation: Buffer.alloc(8, 5),
    createdAt: Math.floor(Date.now() / 1000) - 60,
    lifetimeS: 3600,
    ...over,
  });
}

function setup() {
  const sites: string[] = []; // match patterns of opt-in sites (granted permissions)
  const h = routerHarness({
    settings: { ...defaultSettings(), myName: 'bob.azero' },
    contentMatches: ['https://web.telegram.org/*'],
    siteMatches: async () => [...sites],
    checkTimeoutMs: 200,
  });
  return { ...h, sites };
}

let t: ReturnType<typeof setup>;
beforeEach(async () => {
  t = setup();
  t.router.start();
  t.native().reply(t.native().last('status'), {
    nodeId: SELF,
    version: '0.1.0',
    backend: 'hyperdht',
    turnPort: 3478,
    dhtPort: null,
    calls: [],
    network: { kind: 'online', relays: null },
  });
  await t.flush();
});

const outgoing = (over: Partial<CallInfo> = {}) => callInfo({ peer: ALICE, invitation: INVITATION, ...over });

describe('link messages from pages', () => {
  it('are refused from any other site, and from our popup', async () => {
    const p = payload();
    const evil = await t.router.onMessage({ type: 'answer-link', payload: p }, { id: 'ext', url: 'https://evil.example/', tab: { id: 5 } });
    expect(evil).toMatchObject({ ok: false, error: { code: 'CALL_NOT_ALLOWED' } });
    const popup = await t.router.onMessage({ type: 'answer-link', payload: p }, { id: 'ext', url: `${EXT}popup.html` });
    expect(popup).toMatchObject({ ok: false, error: { code: 'CALL_NOT_ALLOWED' } });
    expect(t.native().sent.filter((m) => m.type === 'call')).toEqual([]);
  });

  it("a badge's answer-link never dials: it checks the claimed name and opens the preview, where the call is confirmed", async () => {
    const p = payload({ name: 'alice.azero' });
    const reply = t.router.onMessage({ type: 'answer-link', payload: p }, TELEGRAM);
    await t.flush();
    t.resolver().last().resolve(resolution('alice.azero', ALICE));
    expect(await reply).toMatchObject({ ok: true, result: { name: 'alice.azero', verified: true, status: 'verified', message: null } });
    expect(t.surface.openPage).toHaveBeenCalledWith(`call.html?preview=${p}`);
    expect(t.native().sent.filter((m) => m.type === 'call')).toEqual([]);
  });

  it("the preview's Answer dials the maker with the invitation; the call tab learns the verified name", async () => {
    const preview = { id: 'ext', url: `${EXT}call.html?preview=x`, tab: { id: 9 } };
    const reply = t.router.onMessage({ type: 'answer-link', payload: payload({ name: 'alice.azero' }) }, preview);
    await t.flush();
    t.resolver().last().resolve(resolution('alice.azero', ALICE));
    await t.flush();
    await t.flush();
    expect(t.native().last('call')).toMatchObject({ target: ALICE, invitation: INVITATION, name: 'bob.azero' });
    t.native().reply(t.native().last('call'), outgoing());
    expect(await reply).toEqual({
      ok: true,
      result: { name: 'alice.azero', verified: true, status: 'verified', message: null, callId: CALL_ID },
    });
    const page = new FakePagePort('call', { id: 'ext', url: `${EXT}call.html?call=${CALL_ID}`, tab: { id: 9 } });
    t.router.onConnect(page);
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.ofType('call')[0]).toMatchObject({ verification: { status: 'verified', name: 'alice.azero' } });
  });

  it('a link re-signed by another key claiming Alice is refused, and nothing is dialled', async () => {
    const reply = t.router.onMessage(
      { type: 'answer-link', payload: payload({ name: 'alice.azero', secretKey: mallory.secretKey }) },
      TELEGRAM,
    );
    await t.flush();
    t.resolver().last().resolve(resolution('alice.azero', ALICE));
    expect(await reply).toEqual({
      ok: false,
      error: { code: 'LINK_REFUSED', message: "This link claims alice.azero but was not made by that name's node." },
    });
    expect(t.native().sent.filter((m) => m.type === 'call')).toEqual([]);
  });

  it('an expired or damaged link is refused in words', async () => {
    const old = createLinkPayload({
      secretKey: alice.secretKey,
      invitation: Buffer.alloc(8, 5),
      createdAt: Math.floor(Date.now() / 1000) - 7200,
      lifetimeS: 3600,
    });
    expect(await t.router.onMessage({ type: 'link-status', payload: old }, TELEGRAM)).toEqual({
      ok: false,
      error: { code: 'LINK_REFUSED', message: 'This call link has expired; ask for a new one.' },
    });
  });

  it('open-link opens the preview without dialling; link-status reports an unverifiable claim', async () => {
    const p = payload({ name: 'alice.azero' });
    const reply = t.router.onMessage({ type: 'open-link', payload: p }, TELEGRAM);
    await t.flush();
    // The chain does not answer within the bound.
    expect(await reply).toMatchObject({ ok: true, result: { name: 'alice.azero', verified: false, status: 'unverifiable' } });
    expect(t.surface.openPage).toHaveBeenCalledWith(`call.html?preview=${p}`);
    expect(t.native().sent.filter((m) => m.type === 'call')).toEqual([]);
  });

  it('Answer in the preview tab dials and shows the call in that tab', async () => {
    const page = { id: 'ext', url: `${EXT}call.html?preview=x`, tab: { id: 9 } };
    const reply = t.router.onMessage({ type: 'answer-link', payload: payload() }, page);
    await t.flush();
    await t.flush();
    t.native().reply(t.native().last('call'), outgoing());
    expect(await reply).toMatchObject({ ok: true, result: { callId: CALL_ID } });
    expect(t.surface.replaceTab).toHaveBeenCalledWith(9, `call.html?call=${CALL_ID}`);
    expect(t.surface.showCallTab).not.toHaveBeenCalled();
  });

  it('the context menu opens the preview without dialling, or says why it cannot', async () => {
    await t.router.links.menuClicked({ selectionText: 'hello there' });
    expect(t.surface.cannotAnswer).toHaveBeenCalledWith('There is no Copybara call link here.');
    const p = payload();
    await t.router.links.menuClicked({ selectionText: `copybara:${p}` });
    expect(t.surface.openPage).toHaveBeenCalledWith(`call.html?preview=${p}`);
    expect(t.native().sent.filter((m) => m.type === 'call')).toEqual([]);
    const forged = t.router.links.menuClicked({
      selectionText: `copybara:${payload({ name: 'alice.azero', secretKey: mallory.secretKey })}`,
    });
    await t.flush();
    t.resolver().last().resolve(resolution('alice.azero', ALICE));
    await forged;
    expect(t.surface.cannotAnswer).toHaveBeenLastCalledWith("This link claims alice.azero but was not made by that name's node.");
    expect(t.surface.openPage).toHaveBeenCalledTimes(1);
  });

  it('a navigation to a link address becomes the preview, in that tab', async () => {
    const p = payload();
    await t.router.links.navigated({ tabId: 4, frameId: 0, url: `https://copybara.network/call#${p}` });
    await t.router.links.navigated({ tabId: 4, frameId: 1, url: `https://copybara.network/call#${p}` });
    await t.router.links.navigated({ tabId: 4, frameId: 0, url: 'https://copybara.network/about' });
    expect(t.surface.replaceTab).toHaveBeenCalledTimes(1);
    expect(t.surface.replaceTab).toHaveBeenCalledWith(4, `call.html?preview=${p}`);
    // The blocked request's error page: replaced again, unless our page is already there.
    t.surface.showsOurPage.mockResolvedValueOnce(true);
    await t.router.links.navigated({ tabId: 4, frameId: 0, url: `https://copybara.network/call#${p}` }, true);
    expect(t.surface.replaceTab).toHaveBeenCalledTimes(1);
    await t.router.links.navigated({ tabId: 4, frameId: 0, url: `https://copybara.network/call#${p}` }, true);
    expect(t.surface.replaceTab).toHaveBeenCalledTimes(2);
  });

  it('the configured link host counts for navigations and the menu; other hosts do not', async () => {
    const p = payload();
    await t.router.links.navigated({ tabId: 4, frameId: 0, url: `https://links.example.org/call#${p}` });
    expect(t.surface.replaceTab).not.toHaveBeenCalled();
    t.settings.linkHost = 'links.example.org';
    await t.router.links.navigated({ tabId: 4, frameId: 0, url: `https://links.example.org/call#${p}` });
    // The navigation listener sees every host's /call (its filter is fixed at start).
    await t.router.links.navigated({ tabId: 4, frameId: 0, url: `https://other.example.org/call#${p}` });
    await t.router.links.navigated({
      tabId: 4,
      frameId: 0,
      url: `https://other.example.org/call?u=${encodeURIComponent(`https://links.example.org/call#${p}`)}`,
    });
    expect(t.surface.replaceTab).toHaveBeenCalledTimes(1);
    expect(t.surface.replaceTab).toHaveBeenCalledWith(4, `call.html?preview=${p}`);
    // Still the default host too.
    await t.router.links.navigated({ tabId: 5, frameId: 0, url: `https://copybara.network/call#${p}` });
    expect(t.surface.replaceTab).toHaveBeenCalledWith(5, `call.html?preview=${p}`);

    await t.router.links.menuClicked({ linkUrl: `https://links.example.org/call#${p}` });
    expect(t.surface.cannotAnswer).not.toHaveBeenCalled();
    expect(t.surface.openPage).toHaveBeenCalledWith(`call.html?preview=${p}`);
  });

  it('link messages are accepted from opt-in sites while their permission is granted', async () => {
    const site = { id: 'ext', url: 'http://127.0.0.1:8080/chat', tab: { id: 6 } };
    expect(await t.router.onMessage({ type: 'link-status', payload: payload() }, site)).toMatchObject({
      ok: false,
      error: { code: 'CALL_NOT_ALLOWED' },
    });
    t.sites.push('http://127.0.0.1/*');
    expect(await t.router.onMessage({ type: 'link-status', payload: payload() }, site)).toMatchObject({ ok: true });
    expect(await t.router.onMessage({ type: 'link-status', payload: payload() }, { ...site, url: 'http://127.0.0.2/chat' })).toMatchObject({
      ok: false,
      error: { code: 'CALL_NOT_ALLOWED' },
    });
  });

  it('a worker woken by the click waits for its node connection before opening', async () => {
    const t2 = setup();
    t2.router.start();
    const p = payload();
    const reply = t2.router.onMessage({ type: 'open-link', payload: p }, TELEGRAM);
    await t2.flush();
    expect(t2.surface.openPage).not.toHaveBeenCalled();
    t2.native().reply(t2.native().last('status'), {
      nodeId: SELF,
      version: '0.1.0',
      backend: 'hyperdht',
      turnPort: 3478,
      dhtPort: null,
      calls: [],
      network: { kind: 'online', relays: null },
    });
    expect(await reply).toMatchObject({ ok: true });
    expect(t2.surface.openPage).toHaveBeenCalledWith(`call.html?preview=${p}`);
  });

  it('without a node, opening or answering a link says so where it was clicked; no tab opens', async () => {
    const t2 = setup();
    t2.router.start();
    t2.native().drop(t2.setLastError, 'Specified native messaging host not found.');
    const reply = await t2.router.onMessage({ type: 'open-link', payload: payload() }, TELEGRAM);
    expect(reply).toMatchObject({ ok: false, error: { code: 'HOST_MISSING', message: expect.stringMatching(/not installed/) } });
    expect(t2.surface.openPage).not.toHaveBeenCalled();
    // The name can still be checked without a node.
    expect(await t2.router.onMessage({ type: 'link-status', payload: payload() }, TELEGRAM)).toMatchObject({ ok: true });
  });
});

describe('making a link and waiting for it', () => {
  it('make-link asks the node with My name', async () => {
    const reply = t.router.onMessage({ type: 'make-link' }, { id: 'ext', url: `${EXT}popup.html` });
    await t.flush();
    await t.flush();
    expect(t.native().last('link')).toMatchObject({ name: 'bob.azero' });
    const info = {
      url: `https://copybara.network/call#${payload()}`,
      payload: payload(),
      invitation: INVITATION,
      expiresAt: 2_000_000_000,
    };
    t.native().reply(t.native().last('link'), info);
    expect(await reply).toEqual({ ok: true, result: info });
    expect(
      await t.router.onMessage(
        { type: 'wait-link', invitation: INVITATION, expiresAt: 2_000_000_000 },
        { id: 'ext', url: `${EXT}popup.html` },
      ),
    ).toEqual({
      ok: true,
      result: null,
    });
    expect(t.surface.openPage).toHaveBeenCalledWith(`call.html?link=${INVITATION}&expires=2000000000`);
  });

  it('make-link for a callee asks the node for a link only that node can answer; a callee that is no node id is refused', async () => {
    const popup = { id: 'ext', url: `${EXT}popup.html` };
    const reply = t.router.onMessage({ type: 'make-link', callee: ALICE }, popup);
    await t.flush();
    await t.flush();
    expect(t.native().last('link')).toMatchObject({ name: 'bob.azero', callee: ALICE });
    const info = {
      url: `https://copybara.network/call#${payload()}`,
      payload: payload(),
      invitation: INVITATION,
      expiresAt: 2_000_000_000,
    };
    t.native().reply(t.native().last('link'), info);
    expect(await reply).toEqual({ ok: true, result: info });
    const links = t.native().sent.filter((m) => m.type === 'link').length;
    expect(await t.router.onMessage({ type: 'make-link', callee: 'alice.azero' }, popup)).toMatchObject({ ok: false });
    expect(t.native().sent.filter((m) => m.type === 'link')).toHaveLength(links);
  });

  it("make-link gives the address on the configured link host (the payload is the node's)", async () => {
    t.settings.linkHost = 'links.example.org';
    const reply = t.router.onMessage({ type: 'make-link' }, { id: 'ext', url: `${EXT}popup.html` });
    await t.flush();
    await t.flush();
    const p = payload();
    const info = { url: `https://copybara.network/call#${p}`, payload: p, invitation: INVITATION, expiresAt: 2_000_000_000 };
    t.native().reply(t.native().last('link'), info);
    expect(await reply).toEqual({ ok: true, result: { ...info, url: `https://links.example.org/call#${p}` } });
  });

  it('the waiting tab holds the wait; the call through the link becomes that tab', async () => {
    const port = new FakePagePort('link', { id: 'ext', url: `${EXT}call.html?link=${INVITATION}`, tab: { id: 11 } });
    t.router.onConnect(port);
    port.send({ type: 'wait', invitation: INVITATION });
    expect(t.native().last('wait-link')).toMatchObject({ invitation: INVITATION, waiting: true });
    t.native().reply(t.native().last('wait-link'), null);
    await t.flush();
    expect(port.ofType('waiting')).toEqual([{ type: 'waiting', invitation: INVITATION }]);

    const arrived = callInfo({ direction: 'incoming', state: 'active', peer: ALICE, invitation: INVITATION, viaLink: true });
    t.native().deliver({ v: 1, event: 'call', call: arrived });
    expect(port.ofType('arrived')).toEqual([{ type: 'arrived', callId: CALL_ID }]);
    expect(t.surface.showIncoming).not.toHaveBeenCalled();
    expect(t.surface.showCallTab).not.toHaveBeenCalled();
    // The page drops the waiting port once the call is its own: the wait is not undone.
    port.close();
    expect(t.native().sent.filter((m) => m.type === 'wait-link')).toHaveLength(1);
    // Closing that tab hangs the call up.
    t.router.onTabRemoved(11);
    expect(t.native().last('hangup')).toMatchObject({ callId: CALL_ID });
  });

  it('a link for anyone, answered: the waiting tab gets the call to confirm; nothing answers it for the maker', async () => {
    const port = new FakePagePort('link', { id: 'ext', url: `${EXT}call.html?link=${INVITATION}`, tab: { id: 11 } });
    t.router.onConnect(port);
    port.send({ type: 'wait', invitation: INVITATION });
    t.native().reply(t.native().last('wait-link'), null);
    await t.flush();
    const stranger = encodeNodeId(Buffer.alloc(32, 8));
    const asked = callInfo({ direction: 'incoming', state: 'incoming', peer: stranger, invitation: INVITATION, viaLink: true });
    t.native().deliver({ v: 1, event: 'call', call: asked });
    await t.flush();
    expect(port.ofType('arrived')).toEqual([{ type: 'arrived', callId: CALL_ID }]);
    // The maker is told (that tab, a notification); the call waits for their Connect.
    expect(t.surface.showCallTab).toHaveBeenCalledWith(CALL_ID, 11);
    expect(t.surface.showIncoming).toHaveBeenCalledTimes(1);
    expect(t.native().sent.filter((m) => m.type === 'answer')).toEqual([]);
  });

  it('closing the waiting tab (or Stop waiting) ends the wait', () => {
    const port = new FakePagePort('link', { id: 'ext', url: `${EXT}call.html?link=${INVITATION}`, tab: { id: 11 } });
    t.router.onConnect(port);
    port.send({ type: 'wait', invitation: INVITATION });
    port.close();
    expect(t.native().last('wait-link')).toMatchObject({ invitation: INVITATION, waiting: false });
  });

  it('a link call with no waiting tab (the worker restarted) still gets a tab', async () => {
    t.native().deliver({
      v: 1,
      event: 'call',
      call: callInfo({ direction: 'incoming', state: 'active', peer: ALICE, invitation: INVITATION, viaLink: true }),
    });
    await t.flush();
    expect(t.surface.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
  });

  it('the link port is for our call page only', () => {
    const port = new FakePagePort('link', { id: 'ext', url: 'https://web.telegram.org/k/', tab: { id: 5 } });
    t.router.onConnect(port);
    expect(port.disconnected).toBe(true);
  });
});
