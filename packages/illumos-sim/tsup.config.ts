import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/apiary-sim.ts', 'src/cli-main.ts', 'src/console/zone-daemon.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: false,
  // Chunks per program: one invocation loads only the code it runs (start-up is the budget).
  splitting: true,
  sourcemap: false,
  minify: false,
  clean: true,
});
