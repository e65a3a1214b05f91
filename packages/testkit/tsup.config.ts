import { defineConfig } from 'tsup';

export default defineConfig({
  // Plain Node.js runs the entry (scripts/dev-fleet.mjs); test-temp and tmp-guard are loaded
  // by vitest from source, so they are not built.
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
});
