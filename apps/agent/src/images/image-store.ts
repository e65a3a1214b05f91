import type { AgentImage } from '@apiary/protocol';
import { and, asc, count, eq, ne, or } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { images, vms } from '../db/schema.js';

export type ImageRow = typeof images.$inferSelect;

export function getImage(db: Db, digest: string): ImageRow | undefined {
  return db.select().from(images).where(eq(images.digest, digest)).get();
}

/** The most recently imported image with this name. */
export function getImageByName(db: Db, name: string): ImageRow | undefined {
  return db
    .select()
    .from(images)
    .where(eq(images.name, name))
    .orderBy(asc(images.importedAt))
    .all()
    .at(-1);
}

export function listImageRows(db: Db): ImageRow[] {
  return db.select().from(images).orderBy(asc(images.importedAt), asc(images.digest)).all();
}

export function insertImage(db: Db, row: typeof images.$inferInsert): ImageRow {
  return (
    db.insert(images).values(row).onConflictDoNothing().returning().get() ??
    getImage(db, row.digest)!
  );
}

/** Give a name to an image that has none (one adopted from the host). */
export function nameImage(db: Db, digest: string, name: string): ImageRow {
  return db.update(images).set({ name }).where(eq(images.digest, digest)).returning().get()!;
}

export function deleteImageRow(db: Db, digest: string): void {
  db.delete(images).where(eq(images.digest, digest)).run();
}

/** VMs (in any state but gone) whose disk comes from this image, or with it as their CD-ROM. */
export function vmsUsingImage(db: Db, digest: string): number {
  return (
    db
      .select({ n: count() })
      .from(vms)
      .where(and(or(eq(vms.imageDigest, digest), eq(vms.cdrom, digest)), ne(vms.state, 'deleted')))
      .get()?.n ?? 0
  );
}

export function toAgentImage(row: ImageRow, vmCount: number): AgentImage {
  return {
    digest: row.digest as AgentImage['digest'],
    name: row.name,
    format: row.format,
    size: row.size,
    location: row.location,
    imported_at: row.importedAt,
    vm_count: vmCount,
  };
}
