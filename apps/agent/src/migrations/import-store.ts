import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { VmMigrationSpec } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { migrationImports } from '../db/schema.js';

export type ImportRow = typeof migrationImports.$inferSelect;
export type ImportState = ImportRow['state'];

/** What each volume last received in full, verified: `{ disk0: { snapshot, guid } }`. */
export type Received = Record<string, { snapshot: string; guid: string }>;

/*
 * Import records and their transfer tokens. A token is 256 random bits shown once; only its
 * sha256 is kept (fast is enough for a secret that long), and it stops working when the
 * import is committed or aborted, or when it expires.
 */

export function mintTransferToken(): { token: string; hash: string } {
  const token = `tt_${randomBytes(32).toString('hex')}`;
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Constant-time comparison of a presented token with the stored hash. */
export function tokenMatches(row: ImportRow, token: string): boolean {
  if (!row.tokenHash) return false;
  const a = Buffer.from(hashToken(token), 'hex');
  const b = Buffer.from(row.tokenHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export function insertImport(
  db: Db,
  fields: { vmId: string; spec: VmMigrationSpec; tokenHash: string; expiresAt: Date },
  now = new Date(),
): ImportRow {
  const ts = now.toISOString();
  return db
    .insert(migrationImports)
    .values({
      id: newId('imp'),
      vmId: fields.vmId,
      state: 'open',
      tokenHash: fields.tokenHash,
      expiresAt: fields.expiresAt.toISOString(),
      spec: JSON.stringify(fields.spec),
      createdAt: ts,
      updatedAt: ts,
    })
    .returning()
    .get();
}

export function getImport(db: Db, id: string): ImportRow | undefined {
  return db.select().from(migrationImports).where(eq(migrationImports.id, id)).get();
}

/** The import of a VM that is not over yet (open, committing or aborting). */
export function liveImportOf(db: Db, vmId: string): ImportRow | undefined {
  return db
    .select()
    .from(migrationImports)
    .where(
      and(
        eq(migrationImports.vmId, vmId),
        inArray(migrationImports.state, ['open', 'committing', 'aborting']),
      ),
    )
    .get();
}

export function importsIn(db: Db, states: ImportState[]): ImportRow[] {
  return db.select().from(migrationImports).where(inArray(migrationImports.state, states)).all();
}

export function updateImport(
  db: Db,
  id: string,
  changes: Partial<Omit<ImportRow, 'id' | 'createdAt'>>,
  now = new Date(),
): ImportRow | undefined {
  return db
    .update(migrationImports)
    .set({ ...changes, updatedAt: now.toISOString() })
    .where(eq(migrationImports.id, id))
    .returning()
    .get();
}

export function specOf(row: ImportRow): VmMigrationSpec {
  return JSON.parse(row.spec) as VmMigrationSpec;
}

export function receivedOf(row: ImportRow): Received {
  return JSON.parse(row.received) as Received;
}
