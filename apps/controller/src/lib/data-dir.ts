import { chmodSync, mkdirSync } from 'node:fs';

/**
 * Makes the data dir (database, keys, images) for the controller's user only. Call after
 * `process.umask(0o077)`, so what is created inside is private too.
 */
export function prepareDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // An existing directory keeps its mode through mkdir: tighten it.
  chmodSync(dir, 0o700);
}
