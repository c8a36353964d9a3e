import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { homedir, platform } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, NATIVE_HOST_NAME } from '../../lib/extension-key';
import { formatBootstrap, type HostPort } from '../common/bootstrap';
import { type Profile, ensureProfile } from '../common/profile';

export type Browser = 'chromium' | 'chrome' | 'firefox';

export interface InstallOptions {
  profile: Profile;
  bootstrap: HostPort[] | null;
  // How the node runs Staex's mcc (COPYBARA_MCC), when given: a browser started from the
  // desktop does not see the variables of the shell `install` ran in.
  mcc?: string | null;
  cliPath: string;
  // A dedicated Chromium profile: the manifest goes into DIR/NativeMessagingHosts only.
  userDataDir: string | null;
  browsers: Browser[];
}

// Where each browser looks for user-level native-messaging host manifests.
export function manifestDir(browser: Browser, home = homedir(), os = platform()): string {
  if (os === 'darwin') {
    const base = join(home, 'Library', 'Application Support');
    if (browser === 'firefox') return join(base, 'Mozilla', 'NativeMessagingHosts');
    return join(base, browser === 'chrome' ? join('Google', 'Chrome') : 'Chromium', 'NativeMessagingHosts');
  }
  if (browser === 'firefox') return join(home, '.mozilla', 'native-messaging-hosts');
  return join(home, '.config', browser === 'chrome' ? 'google-chrome' : 'chromium', 'NativeMessagingHosts');
}

export function hostManifest(browser: Browser, launcher: string): object {
  const common = { name: NATIVE_HOST_NAME, description: 'Copybara local node', path: launcher, type: 'stdio' };
  if (browser === 'firefox') return { ...common, allowed_extensions: [FIREFOX_EXTENSION_ID] };
  return { ...common, allowed_origins: [`chrome-extension://${CHROMIUM_EXTENSION_ID}/`] };
}

const EXECUTABLES: Record<Browser, string[]> = {
  chromium: ['chromium', 'chromium-browser'],
  chrome: ['google-chrome', 'google-chrome-stable'],
  firefox: ['firefox', 'firefox-esr'],
};

// The browsers a plain `install` writes for: each whose program is on PATH or whose own
// settings folder exists (a browser run once, or installed outside PATH). When none is found
// every manifest is written, so a browser we could not see still finds its host.
export function installedBrowsers(
  all: readonly Browser[],
  o: { home?: string; path?: string; os?: NodeJS.Platform; exists?: (p: string) => boolean } = {},
): { browsers: Browser[]; detected: boolean } {
  const exists = o.exists ?? existsSync;
  const dirs = (o.path ?? process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const found = all.filter(
    (b) =>
      EXECUTABLES[b].some((exe) => dirs.some((d) => exists(join(d, exe)))) ||
      // The manifest folder's parent is the browser's own settings folder.
      exists(dirname(manifestDir(b, o.home, o.os))),
  );
  return found.length > 0 ? { browsers: found, detected: true } : { browsers: [...all], detected: false };
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// A browser starts the host with no arguments of ours, so the profile and bootstrap the
// user chose are written into a small launcher the manifest points at.
export function launcherScript(o: InstallOptions): string {
  const lines = ['#!/bin/sh', `export COPYBARA_PROFILE=${shellQuote(o.profile.dir)}`];
  if (o.bootstrap) lines.push(`export COPYBARA_BOOTSTRAP=${shellQuote(formatBootstrap(o.bootstrap))}`);
  else lines.push('unset COPYBARA_BOOTSTRAP');
  if (o.mcc) lines.push(`export COPYBARA_MCC=${shellQuote(o.mcc)}`);
  lines.push(`exec ${shellQuote(process.execPath)} ${shellQuote(o.cliPath)} bridge "$@"`, '');
  return lines.join('\n');
}

export async function install(o: InstallOptions): Promise<string[]> {
  await ensureProfile(o.profile);
  await writeFile(o.profile.launcher, launcherScript(o), { mode: 0o700 });
  await chmod(o.profile.launcher, 0o700);
  const written: string[] = [];
  const targets: [Browser, string][] = o.userDataDir
    ? [['chromium', join(o.userDataDir, 'NativeMessagingHosts')]]
    : o.browsers.map((b) => [b, manifestDir(b)]);
  for (const [browser, dir] of targets) {
    await mkdir(dir, { recursive: true });
    const file = join(dir, `${NATIVE_HOST_NAME}.json`);
    await writeFile(file, JSON.stringify(hostManifest(browser, o.profile.launcher), null, 2) + '\n');
    written.push(file);
  }
  return written;
}
