import { vi } from 'vitest';
import { type BackgroundDeps, type Surface, composeBackground } from '../../entrypoints/background/compose';
import { type Settings, defaultSettings } from '../../lib/ext/settings';
import { FakeNativePort, FakeResolver } from './fakes';

// The background router over fakes: a surface that records what it was asked to show, the
// node ports it opened, the resolvers it made, and settings the test may change.

export const EXT = 'chrome-extension://bchnmjmoapeeeljpgjibfgenagehndgd/';

export function fakeSurface() {
  // The incoming-call notifications up now, by call id.
  const notices = new Set<string>();
  const surface = {
    showCallTab: vi.fn(async (_callId: string, known: number | null) => known ?? 7),
    showIncoming: vi.fn(async (call: { callId: string }) => void notices.add(call.callId)),
    clearIncoming: vi.fn(async (callId: string) => void notices.delete(callId)),
    notificationCallId: (id: string) => (id.startsWith('incoming:') ? id.slice(9) : null),
    openPage: vi.fn(async (_path: string) => 8),
    replaceTab: vi.fn(async (_tabId: number, _path: string) => {}),
    showsOurPage: vi.fn(async (_tabId: number) => false),
    cannotAnswer: vi.fn(async (_message: string) => {}),
    openWebPage: vi.fn(async (_url: string) => {}),
  } satisfies Surface;
  return Object.assign(surface, { notices });
}

export function routerHarness(
  opts: { settings?: Settings } & Partial<Pick<BackgroundDeps, 'contentMatches' | 'siteMatches' | 'checkTimeoutMs' | 'ringPolicy'>> = {},
) {
  const { settings = defaultSettings(), ...deps } = opts;
  const natives: FakeNativePort[] = [];
  const resolvers: FakeResolver[] = [];
  let lastError: string | null = null;
  const surface = fakeSurface();
  const router = composeBackground({
    connectNative: () => {
      const p = new FakeNativePort();
      natives.push(p);
      return p;
    },
    lastError: () => lastError,
    surface,
    extensionUrl: EXT,
    extensionId: 'ext',
    settings: async () => structuredClone(settings),
    makeResolver: (endpoints) => {
      const r = new FakeResolver(endpoints);
      resolvers.push(r);
      return r;
    },
    ...deps,
  });
  const native = () => natives[natives.length - 1]!;
  const resolver = () => {
    const r = resolvers[resolvers.length - 1];
    if (!r) throw new Error('no resolver was made');
    return r;
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { router, surface, natives, native, resolvers, resolver, settings, flush, setLastError: (e: string | null) => (lastError = e) };
}
