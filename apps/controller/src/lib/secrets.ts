import { hash, timingSafeEqual } from 'node:crypto';
import { randomBase32 } from '@apiary/server-kit';

/** Characters of a secret kept in clear to find its row; too short to help a guesser. */
const PREFIX_LENGTH = 12;

export interface NewSecret {
  /** Shown once to whoever asked for it, then forgotten. */
  secret: string;
  prefix: string;
  hash: string;
}

/**
 * A bearer secret: `<kind>_` + 40 base32 characters (200 bits). Stored as its sha256 and looked
 * up by its first characters, so comparing hashes never leaks through an index lookup's timing.
 */
export function newSecret(kind: 'apy' | 'apl' | 'aps' | 'aph' | 'apt'): NewSecret {
  const secret = `${kind}_${randomBase32(40)}`;
  return { secret, prefix: secretPrefix(secret), hash: sha256Hex(secret) };
}

export function secretPrefix(secret: string): string {
  return secret.slice(0, PREFIX_LENGTH);
}

export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex');
}

/** sha256 of a presented secret, as bytes (to compare with several stored hashes). */
export function sha256Bytes(value: string): Buffer {
  // The one-shot form: no Hash object per call (every heartbeat hashes its token).
  return hash('sha256', value, 'buffer');
}

/** Constant-time comparison of a secret's sha256 bytes with a stored hash decoded once. */
export function digestMatches(presented: Buffer, stored: Buffer): boolean {
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** Constant-time comparison of a presented secret with a stored sha256. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(sha256Hex(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
