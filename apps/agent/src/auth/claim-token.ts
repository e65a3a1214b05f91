import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/*
 * The first admin key is claimed with a token only someone on the host can read: a 0600 file
 * in the data dir, written while no key exists and removed once used. It is never logged.
 */

export function claimTokenPath(dataDir: string): string {
  return join(dataDir, 'claim-token');
}

/** Write a claim token if none exists; returns the file's path. */
export function ensureClaimToken(dataDir: string): string {
  const path = claimTokenPath(dataDir);
  if (!existsSync(path)) {
    writeFileSync(path, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  }
  return path;
}

/** True when `presented` equals the stored token (compared in constant time). */
export function checkClaimToken(dataDir: string, presented: string): boolean {
  let stored: string;
  try {
    stored = readFileSync(claimTokenPath(dataDir), 'utf8').trim();
  } catch {
    return false;
  }
  const a = Buffer.from(stored);
  const b = Buffer.from(presented.trim());
  return a.length === b.length && timingSafeEqual(a, b);
}

export function removeClaimToken(dataDir: string): void {
  rmSync(claimTokenPath(dataDir), { force: true });
}
