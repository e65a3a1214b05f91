import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library, the apiary-sim CLI and the per-host VNC daemon.
    entry: ['src/index.ts', 'src/apiary-sim.ts', 'src/console/zone-daemon.ts'],
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: false,
    splitting: true,
    sourcemap: false,
    clean: true,
  },
  {
    // The illumos executables: one CommonJS file. CJS loads faster than ESM on Node 20 and a
    // single file avoids per-chunk loader work; code only reached through dynamic import()
    // (each program, the daemon control) is still initialized lazily.
    entry: { cli: 'src/cli-main.ts' },
    format: ['cjs'],
    outExtension: () => ({ js: '.cjs' }),
    target: 'node20',
    platform: 'node',
    dts: false,
    splitting: false,
    shims: true,
    sourcemap: false,
    clean: false,
  },
]);
