import { ApiError, type MigrateVmReq, type VmOperationAccepted } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import { type Principal, requireRole } from '../auth/principal.js';
import { findVm } from '../envs/addressing.js';
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
  if (!vm.hostId || !vm.sent) throw new ApiError('conflict', `VM ${vm.name} is not on a host yet`);
  await requireChangeable(ctx, vm);
  const to = await chooseTarget(ctx, vm, body.to);
  const { engine: _engine, digest: _digest, ...demand } = migrationDemand(vm);
  const id = await acceptChange(ctx, vm, {
    kind: 'migrate',
    call: { params: { id: vm.id } },
    demand,
    reserveOn: to,
  });
  return acceptedAnswer(ctx, id, vm.id);
}
