import type { FailureInfo, Operation, OperationKind } from '@apiary/protocol';
import { newId } from '@apiary/server-kit';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/open.js';
import { operations } from '../db/schema.js';

export type OperationRow = typeof operations.$inferSelect;

export function insertOperation(
  db: Db,
  vmId: string,
  kind: OperationKind,
  requestId: string | null,
  now = new Date(),
  params?: unknown,
): OperationRow {
  const ts = now.toISOString();
  return db
    .insert(operations)
    .values({
      id: newId('op'),
      vmId,
      kind,
      state: 'pending',
      requestId,
      params: params === undefined ? null : JSON.stringify(params),
      createdAt: ts,
      updatedAt: ts,
    })
    .returning()
    .get();
}

export function getOperation(db: Db, id: string): OperationRow | undefined {
  return db.select().from(operations).where(eq(operations.id, id)).get();
}

export function latestOperation(
  db: Db,
  vmId: string,
  kind?: OperationKind,
): OperationRow | undefined {
  const where = kind
    ? and(eq(operations.vmId, vmId), eq(operations.kind, kind))
    : eq(operations.vmId, vmId);
  return db
    .select()
    .from(operations)
    .where(where)
    .orderBy(desc(operations.createdAt))
    .limit(1)
    .get();
}

/** The operations one request started (its `x-request-id`), newest first. */
export function operationsOfRequest(db: Db, requestId: string): OperationRow[] {
  return db
    .select()
    .from(operations)
    .where(eq(operations.requestId, requestId))
    .orderBy(desc(operations.createdAt))
    .all();
}

/** Operations not finished: resumed (running) or started (pending) after a restart. */
export function unfinishedOperations(db: Db): OperationRow[] {
  return db
    .select()
    .from(operations)
    .where(inArray(operations.state, ['pending', 'running']))
    .orderBy(asc(operations.createdAt))
    .all();
}

export function pendingFor(db: Db, vmId: string): OperationRow[] {
  return db
    .select()
    .from(operations)
    .where(and(eq(operations.vmId, vmId), inArray(operations.state, ['pending', 'running'])))
    .orderBy(asc(operations.createdAt))
    .all();
}

export function updateOperation(
  db: Db,
  id: string,
  changes: Partial<Pick<OperationRow, 'state' | 'step' | 'doneSteps' | 'transcript'>> & {
    error?: FailureInfo | null;
  },
  now = new Date(),
): void {
  const { error, ...rest } = changes;
  db.update(operations)
    .set({
      ...rest,
      ...(error !== undefined
        ? { errorCode: error?.code ?? null, errorMsg: error?.msg ?? null }
        : {}),
      updatedAt: now.toISOString(),
    })
    .where(eq(operations.id, id))
    .run();
}

export function toOperation(row: OperationRow): Operation {
  return {
    id: row.id,
    vm_id: row.vmId,
    kind: row.kind,
    state: row.state,
    step: row.step,
    error: row.errorCode ? { code: row.errorCode, msg: row.errorMsg ?? '' } : null,
    ...(row.kind === 'recipe_run' ? { transcript: row.transcript } : {}),
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}
