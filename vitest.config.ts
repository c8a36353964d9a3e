import { defineConfig } from 'vitest/config';

// Three projects:
// - modules: one test file per source module, at the source's path under tests/ (the
//   tests of lib/names/resolver.ts are tests/lib/names/resolver.test.ts). Some of them run a
//   real HyperDHT testnet or the simulated contract chain on 127.0.0.1 in-process.
// - integration: several real processes together (the node, the bridge, two nodes on a
//   testnet), no browser.
// - e2e: real Chromium processes, one file at a time (`--no-file-parallelism` in the
//   test script).
// - netns: calls across NATs built out of Linux network namespaces (root only; tests skip
//   visibly with COPYBARA_SKIP_NETNS=1), one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'modules',
          include: [
            'tests/lib/**/*.test.ts',
            'tests/native-host/**/*.test.ts',
            'tests/entrypoints/**/*.test.ts',
            'tests/components/**/*.test.ts',
            'tests/testkit/**/*.test.ts',
            'tests/scripts/**/*.test.ts',
            'tests/*.test.ts',
          ],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'netns',
          include: ['tests/netns/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
