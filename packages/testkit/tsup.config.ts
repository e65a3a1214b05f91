import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // The protocol ships TypeScript source: bundle it. The simulator is used from its own build.
  noExternal: ['@apiary/protocol'],
});
