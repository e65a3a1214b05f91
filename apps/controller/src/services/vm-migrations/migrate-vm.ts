import { ApiError, type MigrateVmReq, type VmOperationAccepted } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { type Principal, requireRole } from '../auth/principal.js';
import { findVm } from '../envs/addressing.js';
import type { VmRow } from '../envs/env-view.js';
import { acceptChange, requireChangeable } from '../vm-changes/accept-change.js';
import { acceptedAnswer } from '../vm-changes/accepted.js';
import { chooseTarget, migrationDemand } from './choose-target.js';

/**
 * `POST /v1/vms/{id}/migrate`: accepted like every VM change (one operation per VM, the VM
 * running or stopped, its environment settled), with the whole machine reserved on the target
 * in the accepting transaction. The route answers once the target opened the import and the
 * source took the first copy, or refused them.
 */
export async function migrateVm(
  ctx: Ctx,
  p: Principal,
  name: string,
  body: MigrateVmReq,
  org?: string,
): Promise<VmOperationAccepted> {
  requireRole(p, 'org_admin', 'moving a VM to another host');
  const vm = await findVm(ctx, p, name, org);
  const id = await startMigration(ctx, vm, body.to);
  return acceptedAnswer(ctx, id, vm.id);
}

/** Accepts the migration of `vm` (to `to`, or where placement says); returns its saga id. */
export async function startMigration(ctx: Ctx, vm: VmRow, to?: string): Promise<string> {
  if (!vm.hostId || !vm.sent) throw new ApiError('conflict', `VM ${vm.name} is not on a host yet`);
  await requireChangeable(ctx, vm);
  const target = await chooseTarget(ctx, vm, to);
  const { cpu, mem, disk } = migrationDemand(vm);
  return acceptChange(ctx, vm, {
    kind: 'migrate',
    call: { params: { id: vm.id } },
    demand: { cpu, mem, disk },
    reserveOn: target,
  });
}
