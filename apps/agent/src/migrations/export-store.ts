import type { ExportVolume, MigrationExport, StartExportReq } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { migrationExports } from '../db/schema.js';
import type { OperationRow } from '../vms/operation-store.js';

export type ExportRow = typeof migrationExports.$inferSelect;
type ExportVolumeState = ExportVolume;

export function insertExport(
  db: Db,
  req: StartExportReq,
  operationId: string,
  volumes: string[],
  now = new Date(),
): ExportRow {
  const ts = now.toISOString();
  const initial: ExportVolumeState[] = volumes.map((name) => ({
    name: name as ExportVolumeState['name'],
    state: 'pending',
    guid: null,
    bytes_sent: 0,
    bytes_total: 0,
    resumes: 0,
  }));
  return db
    .insert(migrationExports)
    .values({
      id: newId('exp'),
      vmId: req.vm_id,
      operationId,
      snapshot: req.snapshot,
      incrementalFrom: req.incremental_from ?? null,
      targetUrl: req.target_url,
      targetFingerprint: req.target_fingerprint ?? null,
      transferToken: req.transfer_token,
      volumes: JSON.stringify(initial),
      createdAt: ts,
      updatedAt: ts,
    })
    .returning()
    .get();
}

export function getExport(db: Db, id: string): ExportRow | undefined {
  return db.select().from(migrationExports).where(eq(migrationExports.id, id)).get();
}

export function exportOfOperation(db: Db, operationId: string): ExportRow | undefined {
  return db
    .select()
    .from(migrationExports)
    .where(eq(migrationExports.operationId, operationId))
    .get();
}

export function latestExportOf(db: Db, vmId: string): ExportRow | undefined {
  return db
    .select()
    .from(migrationExports)
    .where(and(eq(migrationExports.vmId, vmId)))
    .orderBy(desc(migrationExports.createdAt))
    .limit(1)
    .get();
}

export function updateExport(
  db: Db,
  id: string,
  changes: Partial<Omit<ExportRow, 'id' | 'createdAt'>>,
  now = new Date(),
): void {
  db.update(migrationExports)
    .set({ ...changes, updatedAt: now.toISOString() })
    .where(eq(migrationExports.id, id))
    .run();
}

export function deleteExportRow(db: Db, id: string): void {
  db.delete(migrationExports).where(eq(migrationExports.id, id)).run();
}

export function volumesOf(row: ExportRow): ExportVolumeState[] {
  return JSON.parse(row.volumes) as ExportVolumeState[];
}

/** The export as the API shows it; `live` is the progress of the stream running now. */
export function toMigrationExport(
  row: ExportRow,
  op: OperationRow | undefined,
  live?: ExportVolumeState[],
): MigrationExport {
  const volumes = live ?? volumesOf(row);
  const total = volumes.reduce((s, v) => s + v.bytes_total, 0);
  const sent = volumes.reduce((s, v) => s + Math.min(v.bytes_sent, v.bytes_total), 0);
  return {
    id: row.id,
    vm_id: row.vmId,
    snapshot: row.snapshot,
    incremental_from: row.incrementalFrom,
    state: op?.state ?? 'failed',
    bytes_sent: sent,
    bytes_total: total,
    volumes,
    operation_id: row.operationId,
    error: row.errorCode ? { code: row.errorCode, msg: row.errorMsg ?? '' } : null,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
