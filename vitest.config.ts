import { defineConfig } from 'vitest/config';

// Two projects: fast tests (units, and integrations on a loopback testnet) run in parallel;
// end-to-end tests drive real Chromium processes and run one file at a time
// (`--no-file-parallelism` in the test script).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
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
    ],
  },
});
