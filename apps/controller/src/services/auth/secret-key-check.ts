import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

/*
 * Every controller of one database must seal and open secrets (agent API keys) with the same
 * key. A controller started with another key would store secrets the others cannot open and
 * fail to reach any agent another registered, long after it started. So the database keeps a
 * value sealed with the installation's key, and a controller whose key cannot open it refuses
 * to start, saying what to do.
 */

const META_KEY = 'secret_key_check';
const PLAIN = 'apiary secret key check v1';

export class SecretKeyMismatch extends Error {}

/** Records the check value on first start; afterwards refuses a key that cannot open it. */
export async function checkSecretKey(ctx: Ctx, keyFile: string): Promise<void> {
  const { meta } = ctx.t;
  await ctx.db
    .insert(meta)
    .values({ key: META_KEY, value: ctx.box.seal(PLAIN) })
    .onConflictDoNothing();
  const [row] = await ctx.db.select().from(meta).where(eq(meta.key, META_KEY));
  let opened: string | null = null;
  try {
    opened = row ? ctx.box.open(row.value) : null;
  } catch {
    opened = null;
  }
  if (opened !== PLAIN) {
    throw new SecretKeyMismatch(
      `the secret key ${keyFile} is not the one this database's secrets were sealed with: ` +
        "every controller of one database needs the same key (copy the first controller's " +
        'secret.key and pass it with --secret-key-file)',
    );
  }
}
