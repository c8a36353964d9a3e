// Compiles the node (native-host/*.ts and the lib/ code it shares) into native-host/dist,
// one file per lazily loaded command. Packages stay external: they load from node_modules.
import { build } from 'esbuild';

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
