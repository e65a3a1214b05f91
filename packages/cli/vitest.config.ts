import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // System tests drive a real fleet; on a loaded 2-core machine a create can take a while.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    // A private TMPDIR per run; the run fails if a test leaves files or processes in it.
    globalSetup: ['@apiary/testkit/tmp-guard'],
  },
});
