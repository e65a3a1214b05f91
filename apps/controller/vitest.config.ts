import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Generous: these drive real processes, and CI machines are shared and slow at times.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores: system tests spawn real processes, so keep file parallelism small.
    maxWorkers: 2,
    // A private TMPDIR per run; the run fails if a test leaves files or processes in it.
    globalSetup: ['@apiary/testkit/tmp-guard', './test/helpers/pg-global-setup.ts'],
  },
});
