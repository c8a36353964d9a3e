import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MatchPattern } from 'wxt/utils/match-patterns';
import { describe, expect, it } from 'vitest';
import type { Site } from '../../../entrypoints/messenger.content/site';
import { ROOT } from '../../../testkit/processes';

// Conventions of the messenger adapters (in the manner of refined-github's
// build/features.test.ts): every sites/<id>.ts is registered in index.ts, reaches the
// manifest's matches, is described in docs/links.md, has a fixture page, and ends with the
// URLs to try it on by hand.

const ENTRY = join(ROOT, 'entrypoints/messenger.content');
const SITE_DIR = join(ENTRY, 'sites');
const files = readdirSync(SITE_DIR).filter((f) => f.endsWith('.ts'));
const ids = files.map((f) => basename(f, '.ts'));
const index = readFileSync(join(ENTRY, 'index.ts'), 'utf8');
const docs = readFileSync(join(ROOT, 'docs/links.md'), 'utf8');
const supported = docs.slice(docs.indexOf('### Supported sites'), docs.indexOf('\n### ', docs.indexOf('### Supported sites') + 1));
const fixtures = readdirSync(join(ROOT, 'tests/fixtures/messengers'));
const listed =
  /const SITES: readonly Site\[\] = \[([^\]]*)\];/
    .exec(index)?.[1]
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean) ?? [];

async function load(id: string): Promise<Site> {
  const mod = (await import(join(SITE_DIR, `${id}.ts`))) as Record<string, Site>;
  expect(Object.keys(mod), `${id}.ts exports exactly the site, named after it`).toEqual([id]);
  return mod[id]!;
}

describe('messenger sites', () => {
  it('has sites, and index.ts lists exactly them, with the manifest matches taken from the list', () => {
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect([...listed].sort()).toEqual([...ids].sort());
    expect(index).toMatch(/matches: SITES\.flatMap\(\(s\) => s\.matches\)/);
    expect(index).toMatch(/runAt: 'document_idle'/);
  });

  for (const id of ids) {
    it(`${id}: registered, documented, testable`, async () => {
      const site = await load(id);
      expect(site.id).toBe(id);
      expect(typeof site.messageRoot).toBe('function');
      expect(index, `index.ts imports sites/${id}`).toMatch(new RegExp(`^import \\{ ${id} \\} from '\\./sites/${id}';$`, 'm'));

      expect(site.matches.length).toBeGreaterThan(0);
      const patterns = site.matches.map((m) => new MatchPattern(m));
      for (const m of site.matches) expect(m, 'https pages only').toMatch(/^https:\/\/[a-z0-9.-]+\/\*$/);

      const source = readFileSync(join(SITE_DIR, `${id}.ts`), 'utf8');
      const tail = /\/\/ Test URLs:\n((?:\/\/ \S+\n)+)$/.exec(source);
      expect(tail, `${id}.ts ends with a "// Test URLs:" comment listing URLs`).not.toBeNull();
      for (const url of tail![1]!
        .trim()
        .split('\n')
        .map((l) => l.slice(3))) {
        expect(
          patterns.some((p) => p.includes(url)),
          `test URL ${url} is matched by ${id}`,
        ).toBe(true);
      }

      const row = supported.split('\n').find((l) => new RegExp(`^\\| \`${id}\` +\\|`).test(l));
      expect(row, `docs/links.md "Supported sites" has a row for ${id}`).toBeDefined();
      for (const m of site.matches) expect(row).toContain(`\`${m}\``);
      expect(row!.split('|')[3]!.trim().length, 'a description of where messages are read').toBeGreaterThanOrEqual(20);

      expect(
        fixtures.some((f) => f.startsWith(id) && f.endsWith('.html')),
        `a fixture tests/fixtures/messengers/${id}*.html`,
      ).toBe(true);
    });
  }

  it('no two sites claim the same page', async () => {
    const sites = await Promise.all(ids.map(load));
    const all = sites.flatMap((s) => s.matches);
    expect(new Set(all).size).toBe(all.length);
    for (const s of sites) {
      for (const other of sites) {
        if (other === s) continue;
        const patterns = other.matches.map((m) => new MatchPattern(m));
        for (const m of s.matches)
          expect(
            patterns.some((p) => p.includes(m.replace('*', 'x'))),
            `${s.id} and ${other.id} overlap`,
          ).toBe(false);
      }
    }
  });

  const manifest = join(ROOT, '.output/chrome-mv3/manifest.json');
  it.skipIf(!existsSync(manifest))('the built manifest runs the content script on every site', async () => {
    const built = JSON.parse(readFileSync(manifest, 'utf8')) as {
      content_scripts?: { matches: string[]; js: string[]; run_at?: string }[];
    };
    const entry = built.content_scripts?.find((c) => c.js.includes('content-scripts/messenger.js'));
    expect(entry, 'a content_scripts entry for messenger.js (run "npx wxt build" if this is stale)').toBeDefined();
    const sites = await Promise.all(ids.map(load));
    expect([...entry!.matches].sort()).toEqual(sites.flatMap((s) => s.matches).sort());
    expect(entry!.run_at).toBe('document_idle');
  });
});
