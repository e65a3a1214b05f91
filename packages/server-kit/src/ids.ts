import { randomBytes, randomUUID } from 'node:crypto';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lowercase base32 of `length` characters from a CSPRNG (5 bits each). */
export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[(bytes[i] ?? 0) & 31];
  return out;
}

/** Prefixed ids (`host_...`, `env_...`, `op_...`) so a log line says what it names: 80 random bits. */
export function newId<P extends string>(prefix: P): `${P}_${string}` {
  return `${prefix}_${randomBase32(16)}`;
}

/**
 * Request ids are minted for every request, heartbeats included: `randomUUID` draws from a
 * cached entropy pool, much cheaper than a `randomBytes` call each time.
 */
export function newRequestId(): `req_${string}` {
  return `req_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}
