import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Surface, createRouter } from '../../../entrypoints/background/router';
import type { CallInfo } from '../../../lib/protocol/native';
import { FakeNativePort, FakePagePort } from './fakes';
import { ALICE, BOB, CALL_ID, callInfo } from './fixtures';

const EXT = 'chrome-extension://bchnmjmoapeeeljpgjibfgenagehndgd/';
const POPUP_SENDER = { id: 'ext', url: `${EXT}popup.html` };
const STATUS = { nodeId: ALICE, version: '0.1.0', backend: 'hyperdht', turnPort: 3478, dhtPort: null, calls: [] as CallInfo[] };
const OFFER = { kind: 'offer', sdp: 'v=0\r\n' } as const;

function setup() {
  const natives: FakeNativePort[] = [];
  let lastError: string | null = null;
  const surface = {
    showCallTab: vi.fn(async (_callId: string, known: number | null) => known ?? 7),
    showIncoming: vi.fn(async () => {}),
    clearIncoming: vi.fn(async () => {}),
    notificationCallId: (id: string) => (id.startsWith('incoming:') ? id.slice(9) : null),
  } satisfies Surface;
  const router = createRouter({
    connectNative: () => {
      const p = new FakeNativePort();
      natives.push(p);
      return p;
    },
    lastError: () => lastError,
    surface,
    extensionUrl: EXT,
    extensionId: 'ext',
  });
  const native = () => natives[natives.length - 1]!;
  const callPage = (tabId = 7) => {
    const port = new FakePagePort('call', { id: 'ext', url: `${EXT}call.html?call=${CALL_ID}`, tab: { id: tabId } });
    router.onConnect(port);
    return port;
  };
  const event = (call: CallInfo) => native().deliver({ v: 1, event: 'call', call });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    router,
    surface,
    native,
    natives,
    callPage,
    event,
    flush,
    setLastError: (e: string | null) => (lastError = e),
  };
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
    const req = t.native().last('call');
    expect(req).toMatchObject({ type: 'call', target: BOB });
    t.native().reply(req, callInfo());
    await expect(reply).resolves.toEqual({ ok: true, result: callInfo() });
    expect(t.surface.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
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
    await expect(t.router.onMessage({ type: 'explode' }, POPUP_SENDER)).resolves.toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } });
    const unreachable = t.router.onMessage({ type: 'call', target: BOB }, POPUP_SENDER);
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
      result: { host: { kind: 'missing', detail: 'Specified native messaging host not found.' }, nodeId: null, calls: [] },
    });
    const popup = new FakePagePort('popup', POPUP_SENDER);
    t.router.onConnect(popup);
    expect(popup.received[0]).toMatchObject({ type: 'view', view: { host: { kind: 'missing' } } });
    expect(t.natives).toHaveLength(2); // retried
    t.native().reply(t.native().last('status'), STATUS);
    await t.flush();
    expect(popup.received.at(-1)).toEqual({ type: 'view', view: { host: { kind: 'ready' }, nodeId: ALICE, calls: [] } });
  });
});

describe('incoming calls', () => {
  it('opens the tab, notifies, and clears the notice when answered elsewhere', async () => {
    await ready(t);
    const incoming = callInfo({ direction: 'incoming', state: 'incoming', peerName: 'Bob' });
    t.event(incoming);
    await t.flush();
    expect(t.surface.showCallTab).toHaveBeenCalledWith(CALL_ID, null);
    expect(t.surface.showIncoming).toHaveBeenCalledWith(incoming);
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
      { type: 'call', call: callInfo() },
      { type: 'signal', callId: CALL_ID, signal: OFFER },
    ]);
    t.event(callInfo({ state: 'ringing' }));
    expect(page.received.at(-1)).toEqual({ type: 'call', call: callInfo({ state: 'ringing' }) });
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
    expect(page.ofType('call')).toEqual([{ type: 'call', call: callInfo({ state: 'active' }) }]);
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
