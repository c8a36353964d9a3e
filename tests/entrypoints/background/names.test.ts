import { afterEach, describe, expect, it, vi } from 'vitest';
import { NameService } from '../../../entrypoints/background/names';
import { defaultSettings } from '../../../lib/ext/settings';
import { ResolveError } from '../../../lib/names/errors';
import { FakeResolver, resolution } from '../../../testkit/ext/fakes';
import { ALICE, BOB } from '../../../testkit/ext/fixtures';

function setup(opts: { checkTimeoutMs?: number; lookupTimeoutMs?: number } = {}) {
  const settings = defaultSettings();
  const resolvers: FakeResolver[] = [];
  let now = 1_000_000;
  const service = new NameService({
    makeResolver: (endpoints) => {
      const r = new FakeResolver(endpoints);
      resolvers.push(r);
      return r;
    },
    settings: async () => settings,
    now: () => now,
    ...opts,
  });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return { service, settings, resolvers, flush, later: (ms: number) => (now += ms), last: () => resolvers.at(-1)!.last() };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('NameService', () => {
  it('confirms a later call only for the node its own lookup found, for a while', async () => {
    const t = setup();
    const p = t.service.lookup('r1', 'bob.azero');
    await t.flush();
    t.last().resolve(resolution('bob.azero', BOB));
    await p;
    expect(t.service.confirmed('bob.azero', BOB)).toMatchObject({ name: { full: 'bob.azero' } });
    expect(t.service.confirmed('bob.azero', ALICE)).toBeNull();
    expect(t.service.confirmed('carol.azero', BOB)).toBeNull();
    t.later(11 * 60_000);
    expect(t.service.confirmed('bob.azero', BOB)).toBeNull();
  });

  it('a new lookup under the same request id replaces the old one', async () => {
    const t = setup();
    const first = t.service.lookup('r1', 'bob.azero');
    await t.flush();
    const second = t.service.lookup('r1', 'bob.azero');
    await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
    await t.flush();
    t.last().resolve(resolution('bob.azero', BOB));
    await expect(second).resolves.toMatchObject({ records: { nodeId: BOB } });
  });

  it('bounds a lookup even when the resolver never answers', async () => {
    const t = setup({ lookupTimeoutMs: 20 });
    await expect(t.service.lookup('r1', 'bob.azero')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(t.last().signal?.aborted).toBe(true);
  });

  it('check never throws: errors come back as data in their codes', async () => {
    const t = setup();
    const p = t.service.check('bob.azero');
    await t.flush();
    t.last().reject(ResolveError.unreachable('wss://ws.azero.dev', 'no answer within 10 s'));
    expect(await p).toEqual({
      ok: false,
      error: { code: 'CHAIN_UNREACHABLE', message: 'The name service could not be reached at wss://ws.azero.dev: no answer within 10 s' },
    });
  });

  it('check gives up after its bound', async () => {
    const t = setup({ checkTimeoutMs: 20 });
    expect(await t.service.check('bob.azero')).toEqual({ ok: false, error: { code: 'CHECK_TIMEOUT', message: 'no answer within 0.02 s' } });
  });

  it('close stops lookups and the resolver', async () => {
    const t = setup();
    const p = t.service.lookup('r1', 'bob.azero');
    await t.flush();
    t.service.close();
    await expect(p).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(t.resolvers[0]!.closed).toBe(true);
  });
});
