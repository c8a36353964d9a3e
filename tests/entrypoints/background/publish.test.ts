import { describe, expect, it } from 'vitest';
import { type Settings, defaultSettings } from '../../../lib/ext/settings';
import { decodePopupRequest, decodePublishStarted } from '../../../lib/ext/messages';
import type { CallInfo } from '../../../lib/protocol/native';
import { EXT, routerHarness } from '../../../testkit/ext/router-harness';
import { ALICE } from '../../../testkit/ext/fixtures';

// "Publish my node id…": the background asks the node for the publishing page with the
// settings' endpoints and "My name", and opens the URL it gets in a new tab.

const POPUP = { id: 'ext', url: `${EXT}popup.html` };
const OPTIONS = { id: 'ext', url: `${EXT}options.html` };
const STATUS = {
  nodeId: ALICE,
  version: '0.1.0',
  backend: 'hyperdht',
  turnPort: 3478,
  dhtPort: null,
  calls: [] as CallInfo[],
  network: { kind: 'online', relays: null },
};
const URL_ = `http://127.0.0.1:40123/publish/${'s'.repeat(32)}/`;

async function setup(settings: Settings) {
  const h = routerHarness({ settings });
  h.router.start();
  const native = h.native();
  native.reply(native.last('status'), STATUS);
  await flush();
  return { router: h.router, surface: h.surface, native };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('publishing from the popup', () => {
  it('asks the node with the settings and opens the page it names', async () => {
    const settings = defaultSettings();
    settings.endpoints.tzero = ['ws://127.0.0.1:9944'];
    settings.myName = 'bob.azero';
    const t = await setup(settings);
    const reply = t.router.onMessage({ type: 'publish' }, POPUP);
    await flush();
    const req = t.native.last('publish-open');
    expect(req).toEqual({ v: 1, id: req.id, type: 'publish-open', endpoints: settings.endpoints, name: 'bob.azero' });
    t.native.reply(req, { url: URL_, expiresAt: 1_800_000_000_000 });
    await expect(reply).resolves.toEqual({ ok: true, result: { expiresAt: 1_800_000_000_000 } });
    expect(t.surface.openWebPage).toHaveBeenCalledWith(URL_);
    // The popup never sees the URL (it carries the secret).
    expect(decodePublishStarted({ expiresAt: 1 })).toEqual({ expiresAt: 1 });
  });

  it('claims no name when none is set, and is allowed from the options page', async () => {
    const t = await setup(defaultSettings());
    const reply = t.router.onMessage({ type: 'publish' }, OPTIONS);
    await flush();
    const req = t.native.last('publish-open');
    expect(req).not.toHaveProperty('name');
    t.native.reply(req, { url: URL_, expiresAt: 5 });
    await expect(reply).resolves.toMatchObject({ ok: true });
    // The options page may do only this, and read the view (its Network section); never call.
    await expect(t.router.onMessage({ type: 'call', target: 'x'.repeat(52) }, OPTIONS)).resolves.toMatchObject({
      ok: false,
      error: { code: 'CALL_NOT_ALLOWED' },
    });
    await expect(t.router.onMessage({ type: 'publish' }, { id: 'ext', url: `${EXT}call.html` })).resolves.toMatchObject({
      ok: false,
      error: { code: 'CALL_NOT_ALLOWED' },
    });
  });

  it('opens nothing when the node answers an error or a URL that is not its page', async () => {
    const t = await setup(defaultSettings());
    const failed = t.router.onMessage({ type: 'publish' }, POPUP);
    await flush();
    t.native.fail(t.native.last('publish-open'), 'INTERNAL', 'the publishing page is not built');
    await expect(failed).resolves.toEqual({ ok: false, error: { code: 'INTERNAL', message: 'the publishing page is not built' } });
    const foreign = t.router.onMessage({ type: 'publish' }, POPUP);
    await flush();
    t.native.reply(t.native.last('publish-open'), { url: 'https://evil.example/', expiresAt: 5 });
    await expect(foreign).resolves.toMatchObject({ ok: false, error: { code: 'BAD_MESSAGE' } });
    expect(t.surface.openWebPage).not.toHaveBeenCalled();
  });

  it('decodes the popup request', () => {
    expect(decodePopupRequest({ type: 'publish' })).toEqual({ type: 'publish' });
  });
});
