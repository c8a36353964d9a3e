// Compiles the node (native-host/*.ts and the lib/ code it shares) into native-host/dist,
// one file per lazily loaded command. Packages stay external: they load from node_modules.
// Then the publishing page (native-host/node/publish/page), which runs in the browser and so
// carries its packages inside one bundle, into native-host/dist/publish.
import { build } from 'esbuild';
import { copyFile, mkdir, rm } from 'node:fs/promises';

await build({
  entryPoints: { cli: 'native-host/cli.ts' },
  outdir: 'native-host/dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

const PAGE = 'native-host/node/publish/page';
const PAGE_OUT = 'native-host/dist/publish';
// The server serves every file in this folder; nothing stale may linger there.
await rm(PAGE_OUT, { recursive: true, force: true });
await mkdir(PAGE_OUT, { recursive: true });
await build({
  entryPoints: { main: `${PAGE}/main.ts` },
  outdir: PAGE_OUT,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome120', 'firefox121'],
  minify: true,
  // The page's CSP allows scripts from the page itself only: no inline code, no eval.
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(`${PAGE}/index.html`, `${PAGE_OUT}/index.html`);
await copyFile(`${PAGE}/style.css`, `${PAGE_OUT}/style.css`);
