import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';

// The README's screenshots come from the end-to-end tests themselves, so they show what
// the tests checked: `COPYBARA_SCREENSHOTS=docs/screenshots npm run test:e2e`. Without the
// variable this does nothing.

// Where a screenshot called `name` goes, or null when none are wanted.
export async function screenshotPath(name: string): Promise<`${string}.png` | null> {
  const dir = process.env.COPYBARA_SCREENSHOTS;
  if (!dir) return null;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot names are lower-case words with dashes, not ${name}`);
  await mkdir(resolve(dir), { recursive: true });
  return `${join(resolve(dir), name)}.png`;
}

export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  const path = await screenshotPath(name);
  if (!path) return;
  if ('goto' in target) await target.screenshot({ path, fullPage: true, timeout: 10_000 });
  else await target.screenshot({ path, timeout: 10_000 });
}
