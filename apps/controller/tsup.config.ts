import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/main.ts', 'src/embed.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  // Workspace packages ship TypeScript source: bundle them. Native modules stay external.
  noExternal: [/^@apiary\//],
  external: ['better-sqlite3'],
});
