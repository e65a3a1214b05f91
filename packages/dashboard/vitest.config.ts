import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure logic and the Node asset helper, fast) and `browser` (Debian's
 * chromium driven by playwright-core against a real controller and agents on simulated hosts).
 */
export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  test: {
    maxWorkers: 2,
    // A private TMPDIR per run (shared by both projects); the run fails if a test leaves files
    // or processes in it.
    globalSetup: ['@apiary/testkit/tmp-guard'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/{unit,node}/**/*.test.{ts,tsx}'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // One browser and one fleet at a time: the machine has two cores.
          fileParallelism: false,
        },
      },
    ],
  },
});
