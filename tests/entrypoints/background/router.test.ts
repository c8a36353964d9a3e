import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeLinkHostsReply } from '../../../lib/ext/link-hosts-message';
import { encodeNodeId } from '../../../lib/node-id';
import { ResolveError } from '../../../lib/names/errors';
import type { CallInfo } from '../../../lib/protocol/native';
import { FakePagePort, resolution } from '../../../testkit/ext/fakes';
import { EXT, routerHarness } from '../../../testkit/ext/router-harness';
import { ALICE, BOB, CALL_ID, callInfo } from '../../../testkit/ext/fixtures';

const POPUP_SENDER = { id: 'ext', url: `${EXT}popup.html` };
const STATUS = {
  nodeId: ALICE,
  version: '0.1.0',
  backend: 'hyperdht',
  turnPort: 3478,
  dhtPort: null,
  calls: [] as CallInfo[],
  network: { kind: 'online', relays: null },
};
const OFFER = { kind: 'offer', sdp: 'v=0\r\n' } as const;

const CAROL = encodeNodeIdOf(9);

function encodeNodeIdOf(fill: number): string {
  return encodeNodeId(new Uint8Array(32).fill(fill));
}

function setup() {
  const h = routerHarness({ checkTimeoutMs: 50 });
  const { router, native } = h;
  const callPage = (tabId = 7) => {
    const port = new FakePagePort('call', { id: 'ext', url: `${EXT}call.html?call=${CALL_ID}`, tab: { id: tabId } });
    router.onConnect(port);
    return port;
  };
  const event = (call: CallInfo) => native().deliver({ v: 1, event: 'call', call });
  return { ...h, callPage, event };
}

async function ready(t: ReturnType<typeof setup>, calls: CallInfo[] = []) {
  t.router.start();
  t.native().reply(t.native().last('status'), { ...STATUS, calls });
  await t.flush();
}

let t: ReturnType<typeof setup>;
beforeEach(() => {
  t = setup();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('popup requests', () => {
  it('places a call and opens its tab', async () => {
    await ready(t);
    const reply = t.router.onMessage({ type: 'call', target: `  ${BOB.toUpperCase()} ` }, POPUP_SENDER);
    await t.flush();
    const req = t.native().last('call');
    // No name set: none claimed; no name dialled: no Staex id; the network setting as it is.
    expect(req).toEqual({ v: 1, id: req.id, type: 'call', target: BOB, network: 'hyperdht' });
    t.native().reply(req, callInfo());
    await expect(reply).resolves.toEqual({ ok: true, result: callInfo() });
    expect(t.surface.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
  });

  it('sends the Staex id from its own lookup of the dialled name, and the network setting', async () => {
    t.settings.network = 'staex';
    await ready(t);
    const STAEX = encodeNodeIdOf(5);
    const lookup = t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'r1' }, POPUP_SENDER);
    await t.flush();
    t.resolver()
      .last()
      .resolve(resolution('bob.azero', BOB, { records: { nodeId: BOB, staexId: STAEX } }));
    await lookup;
    void t.router.onMessage({ type: 'call', target: BOB, name: 'bob.azero' }, POPUP_SENDER);
    await t.flush();
    expect(t.native().last('call')).toMatchObject({ type: 'call', target: BOB, staexId: STAEX, network: 'staex' });
    // A name the background did not look up (or that points elsewhere) carries no Staex id.
    void t.router.onMessage({ type: 'call', target: CAROL, name: 'bob.azero' }, POPUP_SENDER);
    await t.flush();
    expect(t.native().last('call')).not.toHaveProperty('staexId');
  });

  it('answers errors as data, in the contract’s codes', async () => {
    await ready(t);
    await expect(t.router.onMessage({ type: 'call', target: ALICE }, POPUP_SENDER)).resolves.toMatchObject({
      ok: false,
      error: { code: 'SELF_CALL' },
    });
    await expect(t.router.onMessage({ type: 'call', target: 'bob' }, POPUP_SENDER)).resolves.toMatchObject({
      ok: false,
      error: { code: 'BAD_NODE_ID' },
    });
    await expect(t.router.onMessage({ type: 'explode' }, POPUP_SENDER)).resolves.toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE' },
    });
    const unreachable = t.router.onMessage({ type: 'call', target: BOB }, POPUP_SENDER);
    await t.flush();
    t.native().fail(t.native().last('call'), 'UNREACHABLE', 'no route to the peer');
    await expect(unreachable).resolves.toEqual({ ok: false, error: { code: 'UNREACHABLE', message: 'no route to the peer' } });
  });

  it('accepts messages from its popup only', async () => {
    await ready(t);
    const reply = await t.router.onMessage({ type: 'view' }, { id: 'ext', url: `${EXT}call.html` });
    expect(reply).toMatchObject({ ok: false, error: { code: 'CALL_NOT_ALLOWED' } });
    const other = await t.router.onMessage({ type: 'view' }, { id: 'evil', url: `${EXT}popup.html` });
    expect(other.ok).toBe(false);
  });

  it('reports a missing host in the view, and looks again when a popup opens', async () => {
    t.router.start();
    t.native().drop(t.setLastError, 'Specified native messaging host not found.');
    const view = await t.router.onMessage({ type: 'view' }, POPUP_SENDER);
    expect(view).toEqual({
      ok: true,
      result: { host: { kind: 'missing', detail: 'Specified native messaging host not found.' }, nodeId: null, network: null, calls: [] },
    });
    const popup = new FakePagePort('popup', POPUP_SENDER);
    t.router.onConnect(popup);
    expect(popup.received[0]).toMatchObject({ type: 'view', view: { host: { kind: 'missing' } } });
    expect(t.natives).toHaveLength(2); // retried
    t.native().reply(t.native().last('status'), STATUS);
    await t.flush();
    expect(popup.received.at(-1)).toEqual({
      type: 'view',
      view: { host: { kind: 'ready' }, nodeId: ALICE, network: { kind: 'online', relays: null }, calls: [] },
    });
  });

  it('pushes each network state the node reports to the popup, and forgets it when the node goes away', async () => {
    t.router.start();
    t.native().reply(t.native().last('status'), { ...STATUS, network: { kind: 'connecting' } });
    await t.flush();
    const popup = new FakePagePort('popup', POPUP_SENDER);
    t.router.onConnect(popup);
    expect(popup.received.at(-1)).toMatchObject({ type: 'view', view: { network: { kind: 'connecting' } } });
    t.native().deliver({ v: 1, event: 'network', network: { kind: 'offline' } });
    await t.flush();
    expect(popup.received.at(-1)).toMatchObject({ type: 'view', view: { network: { kind: 'offline' } } });
    t.native().deliver({ v: 1, event: 'network', network: { kind: 'online', relays: 2 } });
    await t.flush();
    expect(popup.received.at(-1)).toMatchObject({ type: 'view', view: { network: { kind: 'online', relays: 2 } } });
    t.native().drop(t.setLastError, 'Native host has exited.');
    await t.flush();
    expect(popup.received.at(-1)).toMatchObject({ type: 'view', view: { host: { kind: 'disconnected' }, network: null } });
  });
});

describe('incoming calls', () => {
  it('opens the tab, notifies, and clears the notice when answered elsewhere', async () => {
    await ready(t);
    const incoming = callInfo({ direction: 'incoming', state: 'incoming' });
    t.event(incoming);
    await t.flush();
    expect(t.surface.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
    expect(t.surface.showIncoming).toHaveBeenCalledWith(incoming, null);
    t.event(incoming); // a repeat does not ring again
    expect(t.surface.showIncoming).toHaveBeenCalledTimes(1);
    t.event({ ...incoming, state: 'ended', reason: 'missed', endedAt: 5 });
    expect(t.surface.clearIncoming).toHaveBeenCalledWith(CALL_ID);
  });

  it('Answer on the notification makes the page answer, even before it listens', async () => {
    await ready(t);
    t.event(callInfo({ direction: 'incoming', state: 'incoming' }));
    t.router.notification.buttonClicked(`incoming:${CALL_ID}`, 0);
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.received.map((m) => m.type)).toEqual(['host', 'call', 'answer-now']);
  });

  it('Decline on the notification declines through the node', async () => {
    await ready(t);
    t.event(callInfo({ direction: 'incoming', state: 'incoming' }));
    t.router.notification.buttonClicked(`incoming:${CALL_ID}`, 1);
    expect(t.native().last('decline')).toMatchObject({ callId: CALL_ID });
  });
});

describe('call pages', () => {
  it('get the call, buffered signals, and every later update', async () => {
    await ready(t);
    t.event(callInfo());
    t.native().deliver({ v: 1, event: 'signal', callId: CALL_ID, signal: OFFER });
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.received).toEqual([
      { type: 'host', host: { kind: 'ready' } },
      { type: 'call', call: callInfo(), verification: null },
      { type: 'signal', callId: CALL_ID, signal: OFFER },
    ]);
    t.event(callInfo({ state: 'ringing' }));
    expect(page.received.at(-1)).toEqual({ type: 'call', call: callInfo({ state: 'ringing' }), verification: null });
  });

  it('one page per call: a second page on it (a duplicated tab) is told where the call is, and gets nothing of it', async () => {
    await ready(t);
    t.event(callInfo({ state: 'active' }));
    const first = t.callPage();
    first.send({ type: 'watch', callId: CALL_ID });
    const second = t.callPage();
    second.send({ type: 'watch', callId: CALL_ID });
    expect(second.received).toEqual([
      { type: 'gone', callId: CALL_ID, error: { code: 'SHOWN_ELSEWHERE', message: 'the call is shown in another tab' } },
    ]);
    t.native().deliver({ v: 1, event: 'signal', callId: CALL_ID, signal: OFFER });
    expect(first.ofType('signal')).toHaveLength(1);
    expect(second.received).toHaveLength(1);
    // Its requests for the call are refused, so it cannot hang up or signal for the first.
    second.send({ type: 'hangup', id: 1, callId: CALL_ID });
    expect(t.native().sent.filter((m) => m.type === 'hangup')).toEqual([]);
    // Once the first page is gone, a page may show the call again (a reload).
    first.close();
    const again = t.callPage();
    again.send({ type: 'watch', callId: CALL_ID });
    expect(again.ofType('call')).toHaveLength(1);
  });

  it('forward requests for their call and get replies', async () => {
    await ready(t);
    t.event(callInfo({ state: 'active' }));
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    page.send({ type: 'turn', id: 1, callId: CALL_ID });
    page.send({ type: 'signal', id: 2, callId: CALL_ID, signal: OFFER });
    const turn = { urls: ['turn:127.0.0.1:3478'], username: 'u', credential: 'c' };
    t.native().reply(t.native().last('turn'), turn);
    t.native().reply(t.native().last('signal'), null);
    await t.flush();
    expect(t.native().last('signal')).toMatchObject({ type: 'signal', callId: CALL_ID, signal: OFFER });
    expect(page.ofType('reply')).toEqual([
      { type: 'reply', id: 1, ok: true, result: turn },
      { type: 'reply', id: 2, ok: true, result: null },
    ]);
  });

  it('may not act on another call', async () => {
    await ready(t);
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    page.send({ type: 'hangup', id: 1, callId: 'f'.repeat(32) });
    expect(page.ofType('reply')[0]).toMatchObject({ ok: false, error: { code: 'CALL_NOT_ALLOWED' } });
  });

  it('hear that an unknown call is gone', async () => {
    await ready(t);
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.ofType('gone')).toHaveLength(1);
  });

  it('wait for the node’s status before calling a call gone', async () => {
    t.router.start();
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.ofType('gone')).toHaveLength(0);
    t.native().reply(t.native().last('status'), { ...STATUS, calls: [callInfo({ state: 'active' })] });
    await t.flush();
    expect(page.ofType('call')).toEqual([{ type: 'call', call: callInfo({ state: 'active' }), verification: null }]);
  });

  it('closing the page hangs up a live call, once', async () => {
    await ready(t);
    t.event(callInfo({ state: 'active' }));
    const page = t.callPage(9);
    page.send({ type: 'watch', callId: CALL_ID });
    page.close();
    t.router.onTabRemoved(9);
    const hangups = t.native().sent.filter((m) => m.type === 'hangup');
    expect(hangups).toHaveLength(1);
    expect(hangups[0]).toMatchObject({ callId: CALL_ID });
  });

  it('closing the page of an ended call does nothing', async () => {
    await ready(t);
    t.event(callInfo({ state: 'ended', reason: 'remote-hangup', endedAt: 9 }));
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    page.close();
    expect(t.native().sent.filter((m) => m.type === 'hangup')).toHaveLength(0);
  });

  it('a call the node forgot while we were disconnected ends as failed', async () => {
    vi.useFakeTimers();
    t.router.start();
    t.native().reply(t.native().last('status'), STATUS);
    await vi.advanceTimersByTimeAsync(0);
    t.event(callInfo({ state: 'active' }));
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    t.native().drop(t.setLastError, 'Native host has exited.');
    expect(page.ofType('host').at(-1)).toMatchObject({ host: { kind: 'disconnected' } });
    await vi.advanceTimersByTimeAsync(1000);
    t.native().reply(t.native().last('status'), STATUS);
    await vi.advanceTimersByTimeAsync(0);
    expect(page.ofType('call').at(-1)).toMatchObject({ call: { state: 'ended', reason: 'failed' } });
    vi.useRealTimers();
  });

  it('ports from elsewhere are refused', () => {
    const port = new FakePagePort('call', { id: 'ext', url: 'https://example.com/' });
    t.router.onConnect(port);
    expect(port.disconnected).toBe(true);
  });
});

describe('names: lookups from the popup', () => {
  it('resolves through one long-lived resolver, rebuilt when the endpoints change', async () => {
    await ready(t);
    const first = t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'r1' }, POPUP_SENDER);
    await t.flush();
    expect(t.resolver().last().input).toBe('bob.azero');
    t.resolver().last().resolve(resolution('bob.azero', BOB));
    await expect(first).resolves.toEqual({ ok: true, result: resolution('bob.azero', BOB) });

    const second = t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'r2' }, POPUP_SENDER);
    await t.flush();
    expect(t.resolvers).toHaveLength(1);
    t.resolver().last().resolve(resolution('bob.azero', BOB));
    await second;

    t.settings.endpoints.azero = ['wss://other.example'];
    const third = t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'r3' }, POPUP_SENDER);
    await t.flush();
    expect(t.resolvers).toHaveLength(2);
    expect(t.resolvers[0]!.closed).toBe(true);
    expect(t.resolver().endpoints.azero).toEqual(['wss://other.example']);
    t.resolver().last().resolve(resolution('bob.azero', BOB));
    await third;
  });

  it('passes resolution errors on in their own codes', async () => {
    await ready(t);
    const reply = t.router.onMessage({ type: 'resolve', name: 'nobody.azero', requestId: 'r1' }, POPUP_SENDER);
    await t.flush();
    t.resolver().last().reject(new ResolveError('NAME_NOT_REGISTERED', 'nobody.azero is not registered (or has expired)'));
    await expect(reply).resolves.toEqual({
      ok: false,
      error: { code: 'NAME_NOT_REGISTERED', message: 'nobody.azero is not registered (or has expired)' },
    });
  });

  it('cancel aborts the lookup, which answers CANCELLED at once', async () => {
    await ready(t);
    const reply = t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'r1' }, POPUP_SENDER);
    await t.flush();
    const lookup = t.resolver().last();
    await expect(t.router.onMessage({ type: 'cancel', requestId: 'r1' }, POPUP_SENDER)).resolves.toEqual({ ok: true, result: null });
    expect(lookup.signal?.aborted).toBe(true);
    await expect(reply).resolves.toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });

  it('closing the last popup cancels its lookups', async () => {
    await ready(t);
    const popup = new FakePagePort('popup', POPUP_SENDER);
    t.router.onConnect(popup);
    const reply = t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'r1' }, POPUP_SENDER);
    await t.flush();
    popup.close();
    await expect(reply).resolves.toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });

  it('rejects malformed lookups', async () => {
    await ready(t);
    await expect(t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'NOT OK' }, POPUP_SENDER)).resolves.toMatchObject({
      ok: false,
      error: { code: 'BAD_MESSAGE' },
    });
  });
});

describe('names: outgoing calls', () => {
  it('claims my name in the call request', async () => {
    t.settings.myName = 'alice.azero';
    await ready(t);
    void t.router.onMessage({ type: 'call', target: BOB }, POPUP_SENDER);
    await t.flush();
    expect(t.native().last('call')).toMatchObject({ type: 'call', target: BOB, name: 'alice.azero' });
  });

  it('shows the call by the name our own lookup found for it, and only then', async () => {
    await ready(t);
    const lookup = t.router.onMessage({ type: 'resolve', name: 'bob.azero', requestId: 'r1' }, POPUP_SENDER);
    await t.flush();
    t.resolver().last().resolve(resolution('bob.azero', BOB));
    await lookup;
    const reply = t.router.onMessage({ type: 'call', target: BOB, name: 'bob.azero' }, POPUP_SENDER);
    await t.flush();
    t.native().reply(t.native().last('call'), callInfo());
    await reply;
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.ofType('call')[0]).toMatchObject({ verification: { status: 'verified', name: 'bob.azero', fromCache: false } });
  });

  it('ignores a name it did not resolve to that node', async () => {
    await ready(t);
    const reply = t.router.onMessage({ type: 'call', target: BOB, name: 'bob.azero' }, POPUP_SENDER);
    await t.flush();
    t.native().reply(t.native().last('call'), callInfo());
    await reply;
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.ofType('call')[0]).toMatchObject({ verification: null });
  });
});

describe('names: callers who claim one', () => {
  const claiming = (name: string) => callInfo({ direction: 'incoming', state: 'incoming', peer: BOB, peerName: name });

  it('does not ring while the name is checked, then rings with it verified', async () => {
    await ready(t);
    const popup = new FakePagePort('popup', POPUP_SENDER);
    t.router.onConnect(popup);
    t.event(claiming('bob.azero'));
    await t.flush();
    expect(t.resolver().last().input).toBe('bob.azero');
    expect(t.surface.showCallTab).not.toHaveBeenCalled();
    expect(t.surface.showIncoming).not.toHaveBeenCalled();
    expect(popup.received.at(-1)).toMatchObject({ view: { calls: [] } }); // held back

    t.resolver().last().resolve(resolution('bob.azero', BOB));
    await t.flush();
    const verification = { status: 'verified', name: 'bob.azero', verifiedAt: 1_700_000_000_000, fromCache: false };
    expect(t.surface.showIncoming).toHaveBeenCalledWith(claiming('bob.azero'), verification);
    expect(t.surface.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
    expect(popup.received.at(-1)).toMatchObject({ view: { calls: [{ verification }] } });
    const page = t.callPage();
    page.send({ type: 'watch', callId: CALL_ID });
    expect(page.ofType('call')[0]).toEqual({ type: 'call', call: claiming('bob.azero'), verification });
  });

  it('declines without ringing when the name belongs to another node', async () => {
    await ready(t);
    t.event(claiming('carol.azero'));
    await t.flush();
    t.resolver().last().resolve(resolution('carol.azero', CAROL));
    await t.flush();
    expect(t.native().last('decline')).toMatchObject({ callId: CALL_ID });
    expect(t.surface.showCallTab).not.toHaveBeenCalled();
    expect(t.surface.showIncoming).not.toHaveBeenCalled();
  });

  it('rings with the mismatch shown when the settings allow it', async () => {
    t.settings.allowMismatchedNames = true;
    await ready(t);
    t.event(claiming('carol.azero'));
    await t.flush();
    t.resolver().last().resolve(resolution('carol.azero', CAROL));
    await t.flush();
    expect(t.native().sent.filter((m) => m.type === 'decline')).toHaveLength(0);
    expect(t.surface.showIncoming).toHaveBeenCalledWith(claiming('carol.azero'), {
      status: 'mismatch',
      name: 'carol.azero',
      reason: 'other-node',
    });
  });

  it('a name nobody holds is a mismatch too', async () => {
    await ready(t);
    t.event(claiming('nobody.azero'));
    await t.flush();
    t.resolver().last().reject(new ResolveError('NAME_NOT_REGISTERED', 'nobody.azero is not registered (or has expired)'));
    await t.flush();
    expect(t.native().last('decline')).toMatchObject({ callId: CALL_ID });
  });

  it('rings as unverifiable when the chain cannot be reached', async () => {
    await ready(t);
    t.event(claiming('bob.azero'));
    await t.flush();
    t.resolver()
      .last()
      .reject(new ResolveError('CHAIN_UNREACHABLE', 'The name service could not be reached at wss://ws.azero.dev: timeout'));
    await t.flush();
    expect(t.surface.showIncoming).toHaveBeenCalledWith(claiming('bob.azero'), {
      status: 'unverifiable',
      name: 'bob.azero',
      error: { code: 'CHAIN_UNREACHABLE', message: 'The name service could not be reached at wss://ws.azero.dev: timeout' },
    });
  });

  it('gives the check at most its time bound, then rings as unverifiable', async () => {
    await ready(t);
    t.event(claiming('bob.azero'));
    await t.flush();
    const lookup = t.resolver().last();
    await new Promise((r) => setTimeout(r, 80)); // checkTimeoutMs is 50 in these tests
    expect(lookup.signal?.aborted).toBe(true);
    expect(t.surface.showIncoming).toHaveBeenCalledWith(
      claiming('bob.azero'),
      expect.objectContaining({ status: 'unverifiable', error: expect.objectContaining({ code: 'CHECK_TIMEOUT' }) }),
    );
  });

  it('does not ring a call the caller gave up on while it was checked', async () => {
    await ready(t);
    t.event(claiming('bob.azero'));
    await t.flush();
    t.event({ ...claiming('bob.azero'), state: 'ended', reason: 'remote-hangup', endedAt: 5 });
    t.resolver().last().resolve(resolution('bob.azero', BOB));
    await t.flush();
    expect(t.surface.showIncoming).not.toHaveBeenCalled();
    expect(t.surface.showCallTab).not.toHaveBeenCalled();
  });
});

describe('the link hosts a messenger script asks for (storage is closed to it)', () => {
  const TELEGRAM = { id: 'ext', url: 'https://web.telegram.org/k/', tab: { id: 5 } };
  const withHost = (linkHost: string) => {
    const h = routerHarness({ contentMatches: ['https://web.telegram.org/*'] });
    h.settings.linkHost = linkHost;
    return h;
  };

  it('are the default and the configured host, answered to our script on a messenger', async () => {
    const reply = await withHost('links.example.org').router.onMessage({ type: 'link-hosts' }, TELEGRAM);
    expect(reply).toEqual({ ok: true, result: { type: 'link-hosts', hosts: ['copybara.network', 'links.example.org'] } });
    expect(decodeLinkHostsReply(reply).hosts).toEqual(['copybara.network', 'links.example.org']);
    expect(await withHost('copybara.network').router.onMessage({ type: 'link-hosts' }, TELEGRAM)).toEqual({
      ok: true,
      result: { type: 'link-hosts', hosts: ['copybara.network'] },
    });
  });

  it('are refused to any other site, to another extension, and to a malformed question', async () => {
    const r = withHost('links.example.org').router;
    const refused = { ok: false, error: expect.objectContaining({ code: 'CALL_NOT_ALLOWED' }) };
    expect(await r.onMessage({ type: 'link-hosts' }, { ...TELEGRAM, url: 'https://evil.example/' })).toEqual(refused);
    expect(await r.onMessage({ type: 'link-hosts' }, { ...TELEGRAM, id: 'other' })).toEqual(refused);
    expect(await r.onMessage({ type: 'link-hosts' }, { id: 'ext', url: 'https://web.telegram.org/k/' })).toEqual(refused);
    expect(await r.onMessage({ type: 'link-hosts', hosts: ['evil.example'] }, TELEGRAM)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'BAD_MESSAGE' }),
    });
  });
});
