import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliOutput, tempDir } from '../../../testkit/processes';

let dir: { path: string; remove(): Promise<void> };
let profile: string;

beforeAll(async () => {
  dir = await tempDir('link');
  profile = join(dir.path, 'p');
});

afterAll(() => dir?.remove());

describe('copybara-host link', () => {
  it('makes a link signed by this node and checks it', async () => {
    const id = (await cliOutput(['id', '--profile', profile])).stdout.trim();
    const made = await cliOutput(['link', '--profile', profile, '--name', 'alice.azero', '--expires', '600']);
    expect(made.code, made.stderr).toBe(0);
    const link = made.stdout.trim();
    expect(link).toMatch(/^https:\/\/copybara\.network\/call#[A-Za-z0-9_-]+$/);
    expect(link.length).toBeLessThan(300);
    const checked = await cliOutput(['link', '--check', link]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain(`caller      ${id}`);
    expect(checked.stdout).toMatch(/name\s+alice\.azero \(claimed/);
    expect(checked.stdout).toMatch(/valid: signed/);
    // The same payload as plain text.
    const plain = await cliOutput(['link', '--check', `see copybara:${link.split('#')[1]} ok`]);
    expect(plain.code).toBe(0);
  });

  it('says why a link is no good and exits non-zero', async () => {
    const link = (await cliOutput(['link', '--profile', profile])).stdout.trim();
    const tampered = link.slice(0, -2) + (link.endsWith('AA') ? 'BA' : 'AA');
    const bad = await cliOutput(['link', '--check', tampered]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/not valid: this call link (was altered|is damaged)/);
    const junk = await cliOutput(['link', '--check', 'hello']);
    expect(junk.code).toBe(1);
    expect(junk.stdout).toMatch(/not valid/);
    const tooLong = await cliOutput(['link', '--profile', profile, '--expires', '99999999']);
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/from 1 minute to 7 days/);
  });
});
