import {
  ApiError,
  type ControllerOperationKind,
  type FailureCode,
  ImageOperationKind,
  type IntakeProgress,
  type MigrationProgress,
  type Pagination,
  type VmOperation,
} from '@apiary/protocol';
import { and, count, desc, eq, type SQL } from 'drizzle-orm';
import type { Ctx } from '../../context.js';
import type { sagas } from '../../db/pg-schema.js';
import { iso } from '../../lib/clock.js';
import { isSuperAdmin, type Principal } from '../auth/principal.js';
import { findVm } from '../envs/addressing.js';
import type { MigrationMemo } from '../vm-migrations/migration-memo.js';
import { migrationWarning } from '../vm-migrations/release-retry.js';
import type { ChangeInput } from './change-input.js';

type SagaRow = typeof sagas.$inferSelect;

const STATE: Record<string, VmOperation['state']> = {
  running: 'running',
  undoing: 'running',
  succeeded: 'succeeded',
  failed: 'failed',
};

/** A running operation's warning (a migration retrying its source's release), when it has one. */
function warningOf(row: SagaRow): { warning?: string } {
  if (row.state !== 'running') return {};
  const warning = migrationWarning(row.memo as MigrationMemo | null);
  return warning ? { warning } : {};
}

/** Sagas that are image intakes (issue 16): operations on no VM. */
function isIntake(kind: string): boolean {
  return ImageOperationKind.safeParse(kind).success;
}

export function toOperationView(row: SagaRow): VmOperation {
  const input = row.input as ChangeInput;
  const intake = isIntake(row.kind);
  return {
    id: row.id,
    vm_id: intake ? null : input.vmName,
    kind: row.kind as ControllerOperationKind,
    state: STATE[row.state] ?? 'running',
    step: row.step,
    error: row.errorCode ? { code: row.errorCode as FailureCode, msg: row.errorMsg ?? '' } : null,
    progress: intake ? null : ((row.progress as MigrationProgress | null) ?? null),
    intake:
      intake && row.progress && STATE[row.state] === 'running'
        ? (row.progress as IntakeProgress)
        : null,
    ...warningOf(row),
    result: (row.result as VmOperation['result']) ?? null,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

/** The operation with saga id `id` (internal callers: no tenancy check). */
export async function operationView(ctx: Ctx, id: string): Promise<VmOperation> {
  const row = (await ctx.db.select().from(ctx.t.sagas).where(eq(ctx.t.sagas.id, id)))[0];
  if (!row) throw new ApiError('not_found', `operation ${id} not found`);
  return toOperationView(row);
}

/**
 * `GET /v1/operations/{id}`: a VM change or image intake operation of the caller's
 * organization (a public image's intake: super-admins). Another organization's, and sagas that
 * are neither (environment sagas), are the same 404 as an unknown id.
 */
export async function getOperation(
  ctx: Ctx,
  p: Principal,
  id: string,
  org?: string,
): Promise<VmOperation> {
  const { sagas } = ctx.t;
  const conds: SQL[] = [eq(sagas.id, id)];
  if (!isSuperAdmin(p)) conds.push(eq(sagas.orgId, p.orgId ?? '__none__'));
  else if (org !== undefined) conds.push(eq(sagas.orgId, org));
  const row = (
    await ctx.db
      .select()
      .from(sagas)
      .where(and(...conds))
  )[0];
  const reported =
    row && (isIntake(row.kind) ? row.orgId || isSuperAdmin(p) : row.orgId && row.vmId);
  if (!row || !reported) throw new ApiError('not_found', `operation ${id} not found`);
  return toOperationView(row);
}

/** `GET /v1/vms/{id}/operations`: newest first. */
export async function listVmOperations(
  ctx: Ctx,
  p: Principal,
  name: string,
  page: Pagination & { org?: string },
) {
  const { sagas } = ctx.t;
  const vm = await findVm(ctx, p, name, page.org);
  const where = eq(sagas.vmId, vm.id);
  const rows = await ctx.db
    .select()
    .from(sagas)
    .where(where)
    .orderBy(desc(sagas.createdAt), desc(sagas.id))
    .limit(page.limit)
    .offset(page.offset);
  const total = Number((await ctx.db.select({ n: count() }).from(sagas).where(where))[0]?.n ?? 0);
  return { items: rows.map(toOperationView), total, limit: page.limit, offset: page.offset };
}
