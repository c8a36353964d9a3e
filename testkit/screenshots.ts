import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';

// The README's screenshots come from the end-to-end tests themselves, so they show what
// the tests checked: `COPYBARA_SCREENSHOTS=docs/screenshots npm run test:e2e`. Without the
// variable this does nothing.

export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  const dir = process.env.COPYBARA_SCREENSHOTS;
  if (!dir) return;
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`screenshot names are lower-case words with dashes, not ${name}`);
  await mkdir(resolve(dir), { recursive: true });
  const path = join(resolve(dir), `${name}.png`);
  if ('goto' in target) await target.screenshot({ path, fullPage: true, timeout: 10_000 });
  else await target.screenshot({ path, timeout: 10_000 });
}
