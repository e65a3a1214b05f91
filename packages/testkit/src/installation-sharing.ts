import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/*
 * What the controllers of one installation share besides the database (docs/ha.md): the key
 * that seals secrets at rest (DATA_DIR/secret.key: a controller that does not hold the one the
 * others sealed with cannot call their agents) and the image blob store (DATA_DIR/images, on
 * storage every controller mounts: an image uploaded through one is downloaded through any).
 * An operator copies the key once and mounts the store; a test or dev fleet does the same on
 * one machine.
 */

/**
 * Makes `dataDir/images` a link to `sharedDir` (relative, so the fleet directory can move), as
 * a shared mount would be. A data dir that already has its own images directory is left alone.
 */
export function linkSharedImageStore(dataDir: string, sharedDir: string): void {
  mkdirSync(sharedDir, { recursive: true, mode: 0o700 });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const images = join(dataDir, 'images');
  if (!existsSync(images)) symlinkSync(relative(dataDir, sharedDir), images, 'dir');
}

/**
 * Gives the controller in `toDataDir` the secret key of the one in `fromDataDir` (made at its
 * first start), before the joining controller's first start would make a key of its own.
 */
export function shareSecretKey(fromDataDir: string, toDataDir: string): void {
  const from = join(fromDataDir, 'secret.key');
  const to = join(toDataDir, 'secret.key');
  mkdirSync(toDataDir, { recursive: true, mode: 0o700 });
  if (!existsSync(to)) {
    writeFileSync(to, readFileSync(from), { mode: 0o600, flag: 'wx' });
    return;
  }
  if (readFileSync(to, 'utf8').trim() !== readFileSync(from, 'utf8').trim()) {
    throw new Error(
      `${to} differs from ${from}: the controllers of one installation need the same secret key`,
    );
  }
}
