import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type BrowserContext, type Worker, chromium } from 'playwright-core';
import { CHROMIUM_EXTENSION_ID } from '../lib/extension-key';
import { CHROMIUM, EXTENSION_DIR, EXTENSION_ORIGIN, chromiumArgs, keepNamesOnLoopback } from './browser';

// Chromium with the built extension and nothing else: no native host, no node. For tests
// of the extension's own pages and content scripts (the flags are launchPerson's).
// COPYBARA_EXTENSION_DIR points at another build (same manifest key, so the same origin).

export interface ExtensionBrowser {
  context: BrowserContext;
  worker: Worker; // the extension's background service worker
  // Null while the background worker runs; otherwise why not, with the errors Chromium
  // recorded for the extension (a worker whose script throws at start never registers).
  backgroundProblem(): Promise<string | null>;
  close(): Promise<void>;
}

export async function launchExtensionBrowser(
  userDataDir: string,
  extensionDir = process.env.COPYBARA_EXTENSION_DIR ?? EXTENSION_DIR,
): Promise<ExtensionBrowser> {
  if (!existsSync(join(extensionDir, 'manifest.json'))) {
    throw new Error(`no extension build in ${extensionDir}: run "npx wxt build" first`);
  }
  // Developer mode, so Chromium keeps the extension's errors for backgroundProblem().
  await mkdir(join(userDataDir, 'Default'), { recursive: true });
  await writeFile(join(userDataDir, 'Default/Preferences'), JSON.stringify({ extensions: { ui: { developer_mode: true } } }));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: false,
    viewport: { width: 1000, height: 800 },
    args: chromiumArgs(extensionDir),
  });
  const isOurs = (w: Worker) => w.url().startsWith(EXTENSION_ORIGIN);
  let worker: Worker;
  try {
    worker = context.serviceWorkers().find(isOurs) ?? (await context.waitForEvent('serviceworker', { timeout: 15_000, predicate: isOurs }));
  } catch (err) {
    await context.close();
    throw new Error(`the extension's service worker did not start within 15 s: ${(err as Error).message}`);
  }
  await keepNamesOnLoopback(context);
  let closing: Promise<void> | null = null;
  return {
    context,
    worker,
    async backgroundProblem() {
      const state = await worker
        .evaluate(() => (globalThis as unknown as { serviceWorker?: { state: string } }).serviceWorker?.state ?? 'unknown')
        .catch((err: Error) => `gone (${err.message})`);
      if (state === 'activated' || state === 'activating') return null;
      const page = await context.newPage();
      try {
        await page.goto('chrome://extensions/', { timeout: 10_000 });
        const errors = await page.evaluate(async (id) => {
          type Info = { runtimeErrors: { message: string }[]; manifestErrors: { message: string }[] };
          const dp = (
            globalThis as unknown as { chrome: { developerPrivate: { getExtensionInfo(id: string, cb: (i: Info) => void): void } } }
          ).chrome.developerPrivate;
          const info = await new Promise<Info>((resolve) => dp.getExtensionInfo(id, resolve));
          return [...info.manifestErrors, ...info.runtimeErrors].map((e) => e.message);
        }, CHROMIUM_EXTENSION_ID);
        return `the background service worker is ${state}; Chromium reports: ${errors.join(' | ') || 'no errors'}`;
      } finally {
        await page.close();
      }
    },
    close() {
      closing ??= context.close();
      return closing;
    },
  };
}
