import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { FIREFOX_EXTENSION_ID } from '../lib/extension-key';
import { NO_CHAIN } from './browser';
import { ROOT, cliOutput } from './processes';
import { screenshotPath } from './screenshots';

// Debian's Firefox ESR driven through WebDriver BiDi (puppeteer-core), with the Firefox build
// of the extension installed. Firefox reads native-messaging manifests from
// ~/.mozilla/native-messaging-hosts, per user rather than per profile, so each test Firefox
// runs with a HOME of its own holding the manifest of its own person's node.

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const FIREFOX_EXTENSION_DIR = join(ROOT, '.output/firefox-mv3');

// Prefs of a test Firefox: fake camera and microphone without asking, none of the background
// traffic Firefox would send to the internet, and the extension's moz-extension:// host pinned
// (Firefox draws a random one per profile otherwise).
function prefs(uuid: string): Record<string, unknown> {
  return {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': true,
    'extensions.webextensions.uuids': JSON.stringify({ [FIREFOX_EXTENSION_ID]: uuid }),
    'app.update.enabled': false,
    'app.normandy.enabled': false,
    'browser.safebrowsing.downloads.remote.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'toolkit.telemetry.enabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'browser.search.update': false,
    'services.settings.server': 'http://127.0.0.1:9/',
    'network.dns.disablePrefetch': true,
    'network.prefetch-next': false,
    'browser.newtabpage.enabled': false,
    'browser.startup.homepage': 'about:blank',
    // A last guard: any http(s) request a test Firefox would still send out goes to a closed
    // port on 127.0.0.1 instead (loopback itself is never proxied, so the tests' own
    // endpoints are reached directly).
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': 9,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': 9,
    'network.proxy.share_proxy_settings': false,
  };
}

export interface FirefoxPerson {
  name: string;
  browser: Browser;
  origin: string;
  home: string;
  close(): Promise<void>;
}

// One person in Firefox: a HOME and profile of their own, the native host installed there
// for their node's profile folder, the built extension installed.
export async function launchFirefoxPerson(opts: {
  name: string;
  root: string;
  profile: string;
  bootstrap: string;
}): Promise<FirefoxPerson> {
  if (!existsSync(join(FIREFOX_EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`no Firefox extension build in ${FIREFOX_EXTENSION_DIR}: run "npm run build:firefox" first`);
  }
  const home = join(opts.root, `${opts.name}-home`);
  const userDataDir = join(opts.root, `${opts.name}-firefox`);
  await mkdir(home, { recursive: true });
  await mkdir(userDataDir, { recursive: true });
  const install = await cliOutput(['install', '--browser', 'firefox', '--profile', opts.profile, '--bootstrap', opts.bootstrap], 20_000, {
    HOME: home,
  });
  if (install.code !== 0) throw new Error(`copybara-host install --browser firefox failed: ${install.stderr}`);
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: !process.env.DISPLAY,
    userDataDir,
    env: { ...process.env, HOME: home, MOZ_CRASHREPORTER_DISABLE: '1' },
    extraPrefsFirefox: prefs(uuid),
    // WebDriver BiDi refuses to open moz-extension:// pages without it.
    args: ['--remote-allow-system-access'],
    protocolTimeout: 30_000,
  });
  try {
    await browser.installExtension(FIREFOX_EXTENSION_DIR);
  } catch (err) {
    await browser.close();
    throw err;
  }
  const person: FirefoxPerson = {
    name: opts.name,
    browser,
    origin: `moz-extension://${uuid}`,
    home,
    // The browser of now: resyncWhenBlind may have replaced the first session.
    close: () => person.browser.close(),
  };
  await keepNamesOnLoopbackFirefox(person);
  return person;
}

// As keepNamesOnLoopback does for Chromium: the public name-service endpoints are never tried.
async function keepNamesOnLoopbackFirefox(person: FirefoxPerson): Promise<void> {
  const page = await person.browser.newPage();
  try {
    await openPage(page, `${person.origin}/options.html`);
    await fill(page, 'Aleph Zero endpoints', NO_CHAIN);
    await fill(page, 'Aleph Zero testnet endpoints', NO_CHAIN);
    await clickButton(page, 'Save');
    await page.waitForFunction(() => document.body.innerText.includes('Saved'), { timeout: 10_000 });
  } finally {
    await page.close();
  }
}

// The field a person finds by its label: a <label> naming it, or its aria-label. (Puppeteer's
// ARIA query finds the <label> itself in Firefox.)
async function fieldSelector(page: Page, label: string): Promise<string> {
  const found = await page
    .waitForFunction(
      (l: string) => {
        const byLabel = [...document.querySelectorAll('label')].find((x) => x.textContent?.trim() === l)?.control;
        const el = byLabel ?? document.querySelector(`[aria-label="${CSS.escape(l)}"]`);
        if (!el) return null;
        if (!el.id) el.id = `field-${Math.random().toString(36).slice(2)}`;
        return `#${CSS.escape(el.id)}`;
      },
      { timeout: 10_000 },
      label,
    )
    .catch((err: unknown) => {
      throw new Error(`no field labelled "${label}": ${String(err)}`);
    });
  return (await found.jsonValue()) as string;
}

export async function fill(page: Page, label: string, value: string): Promise<void> {
  const selector = await fieldSelector(page, label);
  // As a person does it: into the field, select all it holds, delete, type.
  await page.click(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('a');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(value);
  const now = await page.$eval(selector, (e) => (e as HTMLInputElement | HTMLTextAreaElement).value);
  if (now !== value) throw new Error(`the field "${label}" holds ${JSON.stringify(now)}, not ${JSON.stringify(value)}`);
}

// The button a person finds by its name: its aria-label, or else its text. Found in the page
// itself rather than by puppeteer's ARIA query, which a session made again (resyncWhenBlind)
// cannot run in Firefox.
export async function clickButton(page: Page, name: string): Promise<void> {
  const found = await page
    .waitForFunction(
      (n: string) =>
        [...document.querySelectorAll<HTMLElement>('button, [role="button"]')].find(
          (b) => (b.getAttribute('aria-label') ?? b.textContent ?? '').trim() === n && !(b as HTMLButtonElement).disabled,
        ) ?? null,
      { timeout: 10_000 },
      name,
    )
    .catch(() => null);
  const el = found?.asElement();
  if (!el) throw new Error(`no button "${name}" within 10 s`);
  await (el as ElementHandle<Element>).click();
}

// Opens a page without waiting for the load event, which BiDi does not report for extension pages.
export async function openPage(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: [], timeout: 15_000 }).catch((err: unknown) => {
    throw new Error(`opening ${url} failed: ${String(err)}`);
  });
}

// A Firefox page for the README, as screenshot() takes them from Chromium pages.
export async function firefoxScreenshot(page: Page, name: string): Promise<void> {
  const path = await screenshotPath(name);
  if (path) await page.screenshot({ path, fullPage: true });
}

// Firefox's own window (its address bar), reached through WebDriver BiDi's chrome scope, which
// --remote-allow-system-access opens. Puppeteer has no API for it, so its BiDi connection is
// used directly.
interface BidiConnection {
  send(method: string, params: object): Promise<{ result: unknown }>;
}

export function bidiOf(person: FirefoxPerson): BidiConnection {
  return (person.browser as unknown as { connection: BidiConnection }).connection;
}

// The tabs Firefox itself has open (content scope): their BiDi context ids and addresses.
export async function openTabs(person: FirefoxPerson): Promise<{ context: string; url: string }[]> {
  const tree = (await bidiOf(person).send('browsingContext.getTree', { maxDepth: 0 })).result as {
    contexts: { context: string; url: string }[];
  };
  return tree.contexts;
}

// Per person: when its session was last checked for tabs puppeteer does not list, and which.
const lastBlindCheck = new WeakMap<FirefoxPerson, { at: number; unseen: Set<string> }>();
const BLIND_CHECK_MS = 2000;

// Puppeteer lists a person's pages from BiDi events, and now and then the event for a tab the
// extension opens never reaches it: Firefox shows the tab (its call rings), puppeteer never
// lists it. A new session starts from Firefox's own list, so when a tab Firefox has stays
// unknown to puppeteer from one check to the next (checks at most every 2 s: a tab just
// opened may be unknown for a moment), the person's session is made again. Page handles of
// that person taken before then are dead afterwards. Says whether it did.
export async function resyncWhenBlind(person: FirefoxPerson): Promise<boolean> {
  const last = lastBlindCheck.get(person);
  if (last && performance.now() - last.at < BLIND_CHECK_MS) return false;
  const known = new Set((await person.browser.pages()).map((p) => (p.mainFrame() as unknown as { _id: string })._id));
  const unseen = new Set((await openTabs(person)).map((t) => t.context).filter((id) => !known.has(id)));
  lastBlindCheck.set(person, { at: performance.now(), unseen });
  if (![...unseen].some((id) => last?.unseen.has(id))) return false;
  lastBlindCheck.delete(person);
  const endpoint = person.browser.wsEndpoint();
  await person.browser.disconnect();
  person.browser = await puppeteer.connect({ browserWSEndpoint: endpoint, protocol: 'webDriverBiDi', protocolTimeout: 30_000 });
  return true;
}

async function chromeEval(person: FirefoxPerson, expression: string): Promise<unknown> {
  const connection = bidiOf(person);
  const tree = (await connection.send('browsingContext.getTree', { 'moz:scope': 'chrome' })).result as {
    contexts: { context: string; url: string }[];
  };
  const window = tree.contexts.find((c) => c.url === 'chrome://browser/content/browser.xhtml');
  if (!window) throw new Error(`no Firefox browser window among ${tree.contexts.map((c) => c.url).join(', ')}`);
  const answer = (await connection.send('script.evaluate', { expression, target: { context: window.context }, awaitPromise: true }))
    .result as { type: string; result?: { value?: unknown }; exceptionDetails?: { text?: string } };
  if (answer.type !== 'success')
    throw new Error(`Firefox's window refused a script: ${answer.exceptionDetails?.text ?? 'no reason given'}`);
  return answer.result?.value;
}

// Types `text` into the address bar of a new tab, as a person would, and presses Enter on the
// first suggestion (what Enter picks). Resolves with that suggestion's kind, for messages.
export async function typeIntoAddressBar(person: FirefoxPerson, text: string): Promise<string> {
  const kind = await chromeEval(
    person,
    `(async () => {
      gBrowser.selectedTab = gBrowser.addTab('about:blank', { triggeringPrincipal: Services.scriptSecurityManager.getSystemPrincipal() });
      gURLBar.focus();
      gURLBar.search(${JSON.stringify(text)});
      for (let i = 0; i < 50 && !gURLBar.view.selectedResult; i++) await new Promise((r) => setTimeout(r, 100));
      const first = gURLBar.view.selectedResult;
      gURLBar.handleCommand(new KeyboardEvent('keydown', { key: 'Enter' }));
      return first ? JSON.stringify(first.payload) : 'no suggestion';
    })()`,
  );
  return String(kind);
}

// The address and title of the page the selected tab shows.
export async function selectedTab(person: FirefoxPerson): Promise<{ url: string; title: string }> {
  const raw = await chromeEval(
    person,
    `JSON.stringify({ url: gBrowser.selectedBrowser.currentURI.spec, title: gBrowser.selectedBrowser.contentTitle })`,
  );
  return JSON.parse(String(raw)) as { url: string; title: string };
}
