import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NativePort, isHostMissing } from '../../../entrypoints/background/native-port';
import type { HostState } from '../../../lib/ext/messages';
import type { NodeEvent, NodeStatus } from '../../../lib/protocol/native';
import { FakeNativePort } from '../../../testkit/ext/fakes';
import { ALICE, CALL_ID, callInfo } from '../../../testkit/ext/fixtures';

const STATUS = {
  nodeId: ALICE,
  version: '0.1.0',
  backend: 'hyperdht',
  turnPort: 3478,
  dhtPort: null,
  calls: [],
  network: { kind: 'online', relays: null },
};

function setup() {
  const ports: FakeNativePort[] = [];
  let lastError: string | null = null;
  const hosts: HostState[] = [];
  const events: NodeEvent[] = [];
  const statuses: NodeStatus[] = [];
  const native = new NativePort({
    connect: () => {
      const p = new FakeNativePort();
      ports.push(p);
      return p;
    },
    lastError: () => lastError,
    onEvent: (e) => events.push(e),
    onHost: (h) => hosts.push(h),
    onStatus: (s) => statuses.push(s),
    now: () => Date.now(),
  });
  const port = () => ports[ports.length - 1]!;
  const setLastError = (e: string | null) => (lastError = e);
  return { native, ports, port, hosts, events, statuses, setLastError };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('NativePort', () => {
  it('asks for status on connect and is ready once it arrives', async () => {
    const t = setup();
    t.native.start();
    expect(t.native.host).toEqual({ kind: 'connecting' });
    expect(t.port().sent).toEqual([{ v: 1, id: 1, type: 'status' }]);
    t.port().reply(t.port().last('status'), STATUS);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.native.host).toEqual({ kind: 'ready' });
    expect(t.statuses).toEqual([STATUS]);
    expect(t.hosts.map((h) => h.kind)).toEqual(['connecting', 'ready']);
  });

  it('resolves requests with checked results and rejects coded errors', async () => {
    const t = setup();
    t.native.start();
    const call = t.native.request({ type: 'call', target: ALICE });
    const req = t.port().last('call');
    expect(req).toEqual({ v: 1, id: 2, type: 'call', target: ALICE });
    t.port().reply(req, callInfo());
    await expect(call).resolves.toEqual(callInfo());

    const failing = t.native.request({ type: 'hangup', callId: CALL_ID });
    t.port().fail(t.port().last('hangup'), 'UNKNOWN_CALL', `no call ${CALL_ID}`);
    await expect(failing).rejects.toMatchObject({ code: 'UNKNOWN_CALL', detail: `no call ${CALL_ID}` });

    // Any family's code survives the trip, not only the call family's.
    const named = t.native.request({ type: 'call', target: ALICE });
    t.port().fail(t.port().last('call'), 'NAME_NOT_REGISTERED', 'bob.azero is not registered (or has expired)');
    await expect(named).rejects.toMatchObject({ code: 'NAME_NOT_REGISTERED', detail: 'bob.azero is not registered (or has expired)' });

    const broken = t.native.request({ type: 'turn', callId: CALL_ID, browser: 'chromium' });
    t.port().reply(t.port().last('turn'), { urls: ['http://x'], username: 'u', credential: 'c' });
    await expect(broken).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });

  it('fails a request whose reply is malformed instead of waiting for the timeout', async () => {
    const t = setup();
    t.native.start();
    const p = t.native.request({ type: 'answer', callId: CALL_ID });
    t.port().deliver({ v: 1, id: t.port().last('answer').id, ok: 'yes' });
    await expect(p).rejects.toMatchObject({ code: 'BAD_MESSAGE' });
  });

  it('times out after 15 s', async () => {
    const t = setup();
    t.native.start();
    t.port().reply(t.port().last('status'), STATUS);
    const p = t.native.request({ type: 'answer', callId: CALL_ID });
    const check = expect(p).rejects.toMatchObject({ code: 'TIMEOUT' });
    await vi.advanceTimersByTimeAsync(15_000);
    await check;
  });

  it('passes events on', () => {
    const t = setup();
    t.native.start();
    t.port().deliver({ v: 1, event: 'call', call: callInfo({ state: 'ringing' }) });
    t.port().deliver({ v: 1, event: 'signal', callId: CALL_ID, signal: { kind: 'offer', sdp: 'v=0' } });
    t.port().deliver({ v: 1, event: 'weather' });
    t.port().deliver({ v: 2, event: 'call', call: callInfo() });
    expect(t.events).toEqual([
      { event: 'call', call: callInfo({ state: 'ringing' }) },
      { event: 'signal', callId: CALL_ID, signal: { kind: 'offer', sdp: 'v=0' } },
    ]);
  });

  it('recognises a missing host and does not retry by itself', async () => {
    const t = setup();
    t.native.start();
    const pending = t.native.request({ type: 'call', target: ALICE });
    t.port().drop(t.setLastError, 'Specified native messaging host not found.');
    await expect(pending).rejects.toMatchObject({ code: 'HOST_MISSING' });
    expect(t.native.host).toEqual({ kind: 'missing', detail: 'Specified native messaging host not found.' });
    await vi.advanceTimersByTimeAsync(120_000);
    expect(t.ports).toHaveLength(1);
    await expect(t.native.request({ type: 'status' })).rejects.toMatchObject({ code: 'HOST_MISSING' });

    t.native.retryNow(); // the popup was reopened
    expect(t.ports).toHaveLength(2);
  });

  it('reconnects with backoff after the host goes away, and resets it once connected', async () => {
    const t = setup();
    t.native.start();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = Date.now();
      const n = t.ports.length;
      t.port().drop(t.setLastError, 'Native host has exited.');
      const host = t.native.host;
      expect(host.kind).toBe('disconnected');
      delays.push((host as { retryAt: number }).retryAt - before);
      await vi.advanceTimersByTimeAsync(delays[i]! - 1);
      expect(t.ports).toHaveLength(n);
      await vi.advanceTimersByTimeAsync(1);
      expect(t.ports).toHaveLength(n + 1);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);

    t.port().reply(t.port().last('status'), STATUS);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.native.host.kind).toBe('ready');
    t.port().drop(t.setLastError, null);
    expect((t.native.host as { retryAt: number }).retryAt - Date.now()).toBe(1000);
    expect(t.native.host).toMatchObject({ detail: 'the Copybara node closed the connection' });
  });

  it('starts over when the node does not answer status', async () => {
    const t = setup();
    t.native.start();
    t.port().fail(t.port().last('status'), 'NODE_UNAVAILABLE', 'the node did not start');
    await vi.advanceTimersByTimeAsync(0);
    expect(t.ports[0]!.disconnected).toBe(true);
    expect(t.native.host).toMatchObject({ kind: 'disconnected', detail: 'the node did not start' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(t.ports).toHaveLength(2);
  });

  it('reads Firefox port errors too', () => {
    const t = setup();
    t.native.start();
    t.port().error = { message: 'No such native application network.copybara.host' };
    t.port().drop(t.setLastError, null);
    expect(t.native.host.kind).toBe('missing');
  });
});

describe('isHostMissing', () => {
  it.each([
    ['Specified native messaging host not found.', true],
    ['Access to the specified native messaging host is forbidden.', true],
    ['No such native application network.copybara.host', true],
    ['This extension does not have permission to use native application network.copybara.host', true],
    ['Native host has exited.', false],
    ['Error when communicating with the native messaging host.', false],
  ])('%s -> %s', (reason, missing) => {
    expect(isHostMissing(reason)).toBe(missing);
  });
});
