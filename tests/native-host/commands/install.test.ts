import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_EXTENSION_ID, FIREFOX_EXTENSION_ID, NATIVE_HOST_NAME } from '../../../lib/extension-key';
import { installedBrowsers, launcherScript, manifestDir } from '../../../native-host/commands/install';
import { profileAt } from '../../../native-host/common/profile';
import { cliOutput, tempDir } from '../../../testkit/processes';

// `copybara-host install` run as a user runs it, with HOME pointing at a folder of the test's.

let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  dir = await tempDir('install');
});

afterAll(() => dir?.remove());

// `--path DIR`: the PATH the command sees (which browsers' programs it finds).
async function install(home: string, ...args: string[]) {
  const i = args.indexOf('--path');
  const env: Record<string, string> = { HOME: home };
  if (i >= 0) {
    env.PATH = args[i + 1]!;
    args = [...args.slice(0, i), ...args.slice(i + 2)];
  } else env.PATH = join(home, 'no-browsers');
  return cliOutput(['install', '--profile', join(home, 'profile'), ...args], 20_000, env);
}

async function manifest(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

const firefoxFile = (home: string) => join(home, '.mozilla', 'native-messaging-hosts', `${NATIVE_HOST_NAME}.json`);
const chromiumFile = (home: string) => join(home, '.config', 'chromium', 'NativeMessagingHosts', `${NATIVE_HOST_NAME}.json`);

describe('copybara-host install', () => {
  it('--browser firefox writes only the Firefox manifest, allowing only the pinned add-on id', async () => {
    const home = join(dir.path, 'ff');
    const out = await install(home, '--browser', 'firefox');
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe(`wrote ${firefoxFile(home)}`);
    const m = await manifest(firefoxFile(home));
    expect(m).toEqual({
      name: NATIVE_HOST_NAME,
      description: 'Copybara local node',
      path: join(home, 'profile', 'copybara-bridge.sh'),
      type: 'stdio',
      allowed_extensions: [FIREFOX_EXTENSION_ID],
    });
    // The launcher it points at exists and only its owner may run or read it.
    expect((await stat(m.path as string)).mode & 0o777).toBe(0o700);
    await expect(stat(chromiumFile(home))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('without --browser writes the manifests of the browsers installed here: Firefox found on PATH', async () => {
    const home = join(dir.path, 'found');
    const bin = join(home, 'bin');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'firefox-esr'), '#!/bin/sh\n', { mode: 0o755 });
    const out = await install(home, '--path', bin);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout.trim()).toBe(`wrote ${firefoxFile(home)}`);
    await expect(stat(chromiumFile(home))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('without --browser and no browser found, writes every manifest and says so', async () => {
    const home = join(dir.path, 'all');
    const out = await install(home, '--path', join(home, 'empty'));
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('no browser found on this computer: writing the manifests of chromium, chrome, firefox');
    const written = lines.slice(1);
    expect(written).toHaveLength(3);
    expect(written).toContain(`wrote ${firefoxFile(home)}`);
    expect(written).toContain(`wrote ${chromiumFile(home)}`);
    expect((await manifest(firefoxFile(home))).allowed_extensions).toEqual([FIREFOX_EXTENSION_ID]);
    expect(await manifest(firefoxFile(home))).not.toHaveProperty('allowed_origins');
    expect((await manifest(chromiumFile(home))).allowed_origins).toEqual([`chrome-extension://${CHROMIUM_EXTENSION_ID}/`]);
  });

  it('refuses a browser it does not know, writing nothing', async () => {
    const home = join(dir.path, 'bad');
    const out = await install(home, '--browser', 'safari');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--browser is one of chromium, chrome, firefox/);
    await expect(stat(firefoxFile(home))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // tests/wxt-config.test.ts checks that the Firefox build declares the same id.
  it("Firefox's manifest folders: per user on Linux and macOS", () => {
    expect(manifestDir('firefox', '/home/a', 'linux')).toBe('/home/a/.mozilla/native-messaging-hosts');
    expect(manifestDir('firefox', '/Users/a', 'darwin')).toBe('/Users/a/Library/Application Support/Mozilla/NativeMessagingHosts');
  });
});

describe('installedBrowsers', () => {
  const all = ['chromium', 'chrome', 'firefox'] as const;
  const only =
    (...paths: string[]) =>
    (p: string) =>
      paths.includes(p);

  it('finds a browser by its program on PATH', () => {
    const r = installedBrowsers(all, { home: '/h', path: '/usr/local/bin:/usr/bin', os: 'linux', exists: only('/usr/bin/chromium') });
    expect(r).toEqual({ browsers: ['chromium'], detected: true });
  });

  it('finds a browser by its settings folder when its program is elsewhere', () => {
    const r = installedBrowsers(all, {
      home: '/h',
      path: '/usr/bin',
      os: 'linux',
      exists: only('/h/.mozilla', '/h/.config/google-chrome'),
    });
    expect(r).toEqual({ browsers: ['chrome', 'firefox'], detected: true });
  });

  it('finds none: every browser, marked as not detected', () => {
    expect(installedBrowsers(all, { home: '/h', path: '', os: 'linux', exists: () => false })).toEqual({
      browsers: [...all],
      detected: false,
    });
  });
});

const base = {
  profile: profileAt('/home/a/.config/copybara'),
  bootstrap: null,
  cliPath: '/opt/cb/bin/copybara-host.js',
  userDataDir: null,
  browsers: [],
};

describe('launcherScript', () => {
  it('records the mcc command the browser-started node should use, quoted for the shell', () => {
    const script = launcherScript({ ...base, mcc: "docker exec mcc mcc; echo 'x'" });
    expect(script).toContain(`export COPYBARA_MCC='docker exec mcc mcc; echo '\\''x'\\'''\n`);
  });

  it('leaves COPYBARA_MCC alone when none was given', () => {
    expect(launcherScript({ ...base, mcc: null })).not.toContain('COPYBARA_MCC');
    expect(launcherScript(base)).not.toContain('COPYBARA_MCC');
  });
});
