import { defineConfig } from 'vite';

/**
 * The dashboard builds to static files in dist/ that the controller serves at `/`.
 * `pnpm dev` serves it with hot reload and proxies the API to a running controller
 * (APIARY_URL, default http://127.0.0.1:9200), websockets and event stream included.
 */
const controller = process.env.APIARY_URL ?? 'http://127.0.0.1:9200';

export default defineConfig({
  base: '/',
  // JSX through esbuild's automatic runtime: no framework plugin needed.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // noVNC's ES modules use top-level await, which needs an ES2022 target in dev and build.
  optimizeDeps: { esbuildOptions: { target: 'es2022' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    // Everything is bundled and served by the controller; no data: URIs to widen the CSP for.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 800,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry comments Rollup cannot place; harmless and not ours to fix.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/v1': { target: controller, ws: true, changeOrigin: false },
    },
  },
});
