import { eq, sql } from 'drizzle-orm';
import type { Db } from './open.js';
import { meta } from './schema.js';

export function getMeta(db: Db, key: string): string | null {
  return db.select().from(meta).where(eq(meta.key, key)).get()?.value ?? null;
}

/**
 * Bump the inventory generation and return the new value. Every VM state change calls this in
 * the same transaction as the change, and stamps the VM with the result, so generations are
 * monotonic across the whole host (a VM re-created with the same id never goes backwards).
 */
export function bumpGeneration(db: Db): number {
  const row = db
    .insert(meta)
    .values({ key: 'generation', value: '1' })
    .onConflictDoUpdate({
      target: meta.key,
      set: { value: sql`CAST(${meta.value} AS INTEGER) + 1` },
    })
    .returning()
    .get();
  return Number(row.value);
}

export function currentGeneration(db: Db): number {
  return Number(getMeta(db, 'generation') ?? '0');
}
