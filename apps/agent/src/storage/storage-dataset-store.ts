import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { storageDatasets } from '../db/schema.js';

/*
 * Rows of datasets created through the storage API. Written before the host is touched (the
 * intent, carrying the space it will take) so the capacity check and the charge are one
 * transaction; removed once the dataset is gone.
 */

export type StorageDatasetRow = typeof storageDatasets.$inferSelect;

export function apiDatasetNames(db: Db): Set<string> {
  return new Set(
    db
      .select({ name: storageDatasets.name })
      .from(storageDatasets)
      .all()
      .map((r) => r.name),
  );
}

export function listApiDatasets(db: Db): StorageDatasetRow[] {
  return db.select().from(storageDatasets).all();
}

/** False when a row of that name is there already (a dataset of the API, or its stale row). */
export function insertApiDataset(db: Db, row: StorageDatasetRow): boolean {
  return db.insert(storageDatasets).values(row).onConflictDoNothing().run().changes > 0;
}

export function setCharge(db: Db, name: string, chargedBytes: number): void {
  db.update(storageDatasets).set({ chargedBytes }).where(eq(storageDatasets.name, name)).run();
}

export function setSwap(db: Db, name: string, swap: boolean): void {
  db.update(storageDatasets).set({ swap }).where(eq(storageDatasets.name, name)).run();
}

/** Forget `name` and every API dataset below it (a recursive destroy). */
export function deleteApiDatasets(db: Db, name: string): void {
  db.delete(storageDatasets)
    .where(sql`${storageDatasets.name} = ${name} or ${storageDatasets.name} like ${`${name}/%`}`)
    .run();
}

/** Bytes API datasets take from the VM pool's capacity. */
export function chargedBytesTotal(db: Db): number {
  const row = db
    .select({ bytes: sql<number>`coalesce(sum(${storageDatasets.chargedBytes}), 0)` })
    .from(storageDatasets)
    .get();
  return Number(row?.bytes ?? 0);
}
