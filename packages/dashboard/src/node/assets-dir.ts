import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * Absolute path of the built dashboard (`packages/dashboard/dist`).
 *
 * Resolved through the package name rather than this file's URL: the controller bundles
 * workspace packages into its own dist/, where `import.meta.url` would name the controller's
 * bundle. Package self-reference (and the controller's dependency link) find the real directory
 * either way.
 */
export function dashboardAssetsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@apiary/dashboard/package.json')), 'dist');
}

/** Whether `pnpm --filter @apiary/dashboard build` has produced the files to serve. */
export function isDashboardBuilt(assetsDir: string = dashboardAssetsDir()): boolean {
  return existsSync(join(assetsDir, 'index.html'));
}
