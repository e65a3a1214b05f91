import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    maxWorkers: 2,
    // A private TMPDIR per run; the run fails if a test leaves files or processes in it.
    globalSetup: ['@apiary/testkit/tmp-guard'],
  },
});
