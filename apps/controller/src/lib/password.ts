import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { ApiError } from '@apiary/protocol';

/** scrypt cost parameters (N=2^15, r=8, p=1: ~32 MiB, tens of ms per check). */
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const MAX_MEM = 64 * 1024 * 1024;

/*
 * scrypt runs on libuv's thread pool, four threads per process, which file reads, DNS lookups
 * and zlib share. A storm of password checks (60 parallel wrong passwords) would hold all four
 * and queue the controller's own file reads behind seconds of scrypt. So at most two
 * derivations run at once (two threads stay free for everything else), a bounded number wait,
 * and the rest are refused at once with 429: refusing is cheap, deriving is not. The pool is
 * per process, so this bound is too.
 */
const RUNNING_MAX = 2;
const WAITING_MAX = 64;
let running = 0;
const waiting: Array<() => void> = [];

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= RUNNING_MAX) {
    if (waiting.length >= WAITING_MAX) {
      throw new ApiError('rate_limited', 'too many password checks in progress; try again', {
        retryAfterSeconds: 1,
      });
    }
    // A finishing derivation hands its slot straight to the first waiter.
    await new Promise<void>((resolve) => waiting.push(resolve));
  } else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

function derive(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return bounded(
    () =>
      new Promise((resolve, reject) => {
        scrypt(password, salt, KEY_LENGTH, { N: n, r, p, maxmem: MAX_MEM }, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      }),
  );
}

/** Derivations running now (tests). */
export function passwordChecksRunning(): number {
  return running;
}

/** `scrypt$N$r$p$salt$hash` (base64): the parameters travel with the hash so they can grow. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, N, R, P);
  return ['scrypt', N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await derive(password, Buffer.from(salt, 'base64'), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password people can type: 24 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(24);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
