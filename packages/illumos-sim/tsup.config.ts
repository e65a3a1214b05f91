import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/apiary-sim.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: false,
  sourcemap: true,
  clean: true,
});
