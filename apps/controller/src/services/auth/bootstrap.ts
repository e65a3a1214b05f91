import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId } from '@apiary/server-kit';
import { count } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

import { generatePassword, hashPassword } from '../../lib/password.js';
import { newSecret } from '../../lib/secrets.js';
import { insertLicenseKey } from './license-keys.js';
import { DEFAULT_ORG_NAME } from './orgs.js';

export interface BootstrapSecrets {
  adminUser: string;
  adminPassword: string;
  adminApiKey: string;
  licenseKey: string;
  /** Where they were written (0600). */
  file: string;
}

/**
 * First start with an empty database: a default organization, the super-admin `admin` with a
 * password and an API key, and one license key bound to the default organization. The secrets
 * are written to `bootstrap.json` (0600, never rewritten) and returned with its path.
 * Returns null when the database already has users.
 */
export async function bootstrapIfEmpty(
  ctx: Ctx,
  dataDir: string,
): Promise<BootstrapSecrets | null> {
  const { apiKeys, meta, orgs, users } = ctx.t;
  if (((await ctx.db.select({ n: count() }).from(users))[0]?.n ?? 0) > 0) return null;
  const now = ctx.clock.now();
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const apiKey = newSecret('apy');
  const orgId = newId('org');
  const userId = newId('user');
  let licenseKey = '';
  await ctx.db.transaction(async (tx) => {
    // Re-checked inside the transaction: two starts racing must not create two admins.
    if (((await tx.select({ n: count() }).from(users))[0]?.n ?? 0) > 0) return;
    await tx.insert(orgs).values({ id: orgId, name: DEFAULT_ORG_NAME, createdAt: now });
    await tx.insert(meta).values({ key: 'default_org_id', value: orgId });
    await tx.insert(users).values({
      id: userId,
      username: 'admin',
      passwordHash,
      role: 'super_admin',
      orgId: null,
      createdAt: now,
    });
    await tx.insert(apiKeys).values({
      id: newId('key'),
      name: 'bootstrap',
      prefix: apiKey.prefix,
      keyHash: apiKey.hash,
      role: 'super_admin',
      orgId: null,
      userId,
      createdAt: now,
    });
    licenseKey = (await insertLicenseKey(ctx.t, tx, now, 'bootstrap', orgId)).key;
  });
  if (!licenseKey) return null;
  const secrets = {
    adminUser: 'admin',
    adminPassword: password,
    adminApiKey: apiKey.secret,
    licenseKey,
  };
  return { ...secrets, file: writeBootstrapFile(ctx, dataDir, secrets, now) };
}

/**
 * Writes the secrets, readable by the controller's user only, to `bootstrap.json`; never over
 * an existing file (one left from an older database): then to `bootstrap-<time>.json` beside it.
 * Returns the path, which is all the controller ever prints: the secrets stay out of its output
 * and logs (under SMF both land in the service log).
 */
function writeBootstrapFile(
  ctx: Ctx,
  dataDir: string,
  secrets: Omit<BootstrapSecrets, 'file'>,
  now: number,
): string {
  const body = `${JSON.stringify(secrets, null, 2)}\n`;
  const names = [
    'bootstrap.json',
    `bootstrap-${new Date(now).toISOString().replace(/[:.]/g, '')}.json`,
  ];
  for (const name of names) {
    const path = join(dataDir, name);
    try {
      writeFileSync(path, body, { mode: 0o600, flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      ctx.log.warn({ path }, 'bootstrap file already exists; not overwritten');
    }
  }
  throw new Error(`cannot write the bootstrap secrets: ${names.join(' and ')} exist in ${dataDir}`);
}
