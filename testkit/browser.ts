import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { CHROMIUM_EXTENSION_ID } from '../lib/extension-key';
import { ROOT, cliOutput } from './processes';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const EXTENSION_DIR = join(ROOT, '.output/chrome-mv3');
export const EXTENSION_ORIGIN = `chrome-extension://${CHROMIUM_EXTENSION_ID}`;

// Debian Chromium with one unpacked extension, headless unless there is a display, and
// none of the background traffic Chromium would send to the internet.
export function chromiumArgs(extensionDir: string): string[] {
  return [
    ...(process.env.DISPLAY ? [] : ['--headless=new']),
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
  ];
}

// The extension's default name-service endpoints are public. A test browser must never try
// them, so its settings point both chains at a closed port on 127.0.0.1 before anything
// runs; tests that need names point Aleph Zero at the simulated chain afterwards.
export const NO_CHAIN = 'ws://127.0.0.1:9';

export async function keepNamesOnLoopback(context: BrowserContext): Promise<void> {
  const page = await context.newPage();
  try {
    await page.goto(`${EXTENSION_ORIGIN}/options.html`);
    await page.getByLabel('Aleph Zero endpoints', { exact: true }).fill(NO_CHAIN);
    await page.getByLabel('Aleph Zero testnet endpoints').fill(NO_CHAIN);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved').first().waitFor({ timeout: 10_000 });
  } finally {
    await page.close();
  }
}

export interface Person {
  name: string;
  context: BrowserContext;
  userDataDir: string;
  close(): Promise<void>;
}

// One person: a Chromium profile of their own with the built extension loaded and the
// native host installed into that profile, pointing at their node's profile folder.
// `executablePath`: another Chromium than CHROMIUM (e.g. a wrapper that runs it in a network
// namespace; the native host it starts inherits that).
export async function launchPerson(opts: {
  name: string;
  userDataDir: string;
  profile: string;
  bootstrap: string;
  executablePath?: string;
}): Promise<Person> {
  if (!existsSync(join(EXTENSION_DIR, 'manifest.json'))) {
    throw new Error(`no extension build in ${EXTENSION_DIR}: run "npm run build" first`);
  }
  const install = await cliOutput([
    'install',
    '--user-data-dir',
    opts.userDataDir,
    '--profile',
    opts.profile,
    '--bootstrap',
    opts.bootstrap,
  ]);
  if (install.code !== 0) throw new Error(`copybara-host install failed: ${install.stderr}`);
  const context = await chromium.launchPersistentContext(opts.userDataDir, {
    executablePath: opts.executablePath ?? CHROMIUM,
    headless: false,
    viewport: { width: 900, height: 700 },
    args: [...chromiumArgs(EXTENSION_DIR), '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
  });
  // The background worker must be up before anything talks to the extension.
  if (!context.serviceWorkers().some((w) => w.url().startsWith(EXTENSION_ORIGIN))) {
    await context.waitForEvent('serviceworker', { timeout: 15_000, predicate: (w) => w.url().startsWith(EXTENSION_ORIGIN) });
  }
  await keepNamesOnLoopback(context);
  let closing: Promise<void> | null = null;
  return {
    name: opts.name,
    context,
    userDataDir: opts.userDataDir,
    close() {
      closing ??= context.close();
      return closing;
    },
  };
}

export async function openPopup(person: Person): Promise<Page> {
  const page = await person.context.newPage();
  await page.goto(`${EXTENSION_ORIGIN}/popup.html`);
  return page;
}

// The call tab the extension opens for a call (outgoing or incoming).
export async function waitForCallTab(person: Person, timeoutMs: number): Promise<Page> {
  const isCall = (p: Page) => p.url().startsWith(`${EXTENSION_ORIGIN}/call.html`);
  const open = person.context.pages().find(isCall);
  if (open) return open;
  return person.context.waitForEvent('page', { predicate: isCall, timeout: timeoutMs });
}
