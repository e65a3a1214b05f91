import {
  type AgentClient,
  ApiError,
  type CloneSnapshotReq,
  type Pagination,
  type VmOperationAccepted,
  type VmSnapshot,
} from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { requireRole } from '../auth/principal.js';
import { findVm } from '../envs/addressing.js';
import type { VmRow } from '../envs/env-view.js';
import { acceptChange } from './accept-change.js';
import { acceptedAnswer } from './accepted.js';
import { agentClientFor } from './agent-step.js';
import { vmNamesOf } from './agent-words.js';
import { acceptClone } from './clone-vm.js';
import { diskTotal } from './record-step.js';
import { growth } from './reservation.js';

const NONE = { cpu: 0, mem: 0, disk: 0 };

async function clientOf(ctx: Ctx, vm: VmRow): Promise<AgentClient> {
  if (!vm.hostId || !vm.sent) throw new ApiError('conflict', `VM ${vm.name} is not on a host yet`);
  return agentClientFor(ctx, vm.hostId);
}

/** The agent's snapshot `snap` of `vm`, or a 404 naming it. */
export async function findSnapshot(ctx: Ctx, vm: VmRow, snap: string): Promise<VmSnapshot> {
  const client = await clientOf(ctx, vm);
  const list = await client.listSnapshots({
    params: { id: vm.id },
    query: { limit: 1000, offset: 0 },
  });
  const found = list.items.find((s) => s.name === snap);
  if (!found) throw new ApiError('not_found', `VM ${vm.name} has no snapshot ${snap}`);
  return found;
}

/** `GET /v1/vms/{id}/snapshots`: forwarded to the VM's agent, with the VM's name for its id. */
export async function listVmSnapshots(
  ctx: Ctx,
  p: Principal,
  name: string,
  page: Pagination & { org?: string },
) {
  const vm = await findVm(ctx, p, name, page.org);
  const client = await clientOf(ctx, vm);
  const list = await client.listSnapshots({
    params: { id: vm.id },
    query: { limit: page.limit, offset: page.offset },
  });
  const clones = await vmNamesOf(
    ctx,
    vm.orgId,
    list.items.flatMap((s) => s.clones),
  );
  return {
    ...list,
    items: list.items.map((s) => ({
      ...s,
      vm_id: vm.name,
      // By name; a clone the controller does not know (made on the host directly) is left out.
      clones: s.clones.flatMap((id) => clones.get(id) ?? []),
    })),
  };
}

export async function createVmSnapshot(
  ctx: Ctx,
  p: Principal,
  name: string,
  snap: string,
  org?: string,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, org);
  const id = await acceptChange(ctx, vm, {
    kind: 'snapshot',
    call: { params: { id: vm.id }, body: { name: snap } },
    demand: NONE,
  });
  return acceptedAnswer(ctx, id, vm.id);
}

/**
 * Rollback restores the snapshot's machine: what it has more than the VM now (a memory size
 * shrunk since, say) is reserved before the agent is asked. The agent's refusals (later
 * snapshots without ?force, a running VM without ?stop, clones) reach the caller unchanged.
 */
export async function rollbackVmSnapshot(
  ctx: Ctx,
  p: Principal,
  name: string,
  snap: string,
  query: { stop: boolean; force: boolean; org?: string },
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, query.org);
  const { machine } = await findSnapshot(ctx, vm, snap);
  const now = { cpu: vm.cpu, mem: vm.mem, disk: diskTotal(vm.disk, vm.disks) };
  const then = { cpu: machine.cpu, mem: machine.mem, disk: diskTotal(machine.disk, machine.disks) };
  const id = await acceptChange(ctx, vm, {
    kind: 'rollback',
    call: {
      params: { id: vm.id, name: snap },
      query: { stop: query.stop, force: query.force },
    },
    demand: growth(now, then),
  });
  return acceptedAnswer(ctx, id, vm.id);
}

export async function deleteVmSnapshot(
  ctx: Ctx,
  p: Principal,
  name: string,
  snap: string,
  org?: string,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, org);
  const id = await acceptChange(ctx, vm, {
    kind: 'delete_snapshot',
    call: { params: { id: vm.id, name: snap } },
    demand: NONE,
  });
  return acceptedAnswer(ctx, id, vm.id);
}

export async function cloneVmSnapshot(
  ctx: Ctx,
  p: Principal,
  name: string,
  snap: string,
  body: CloneSnapshotReq,
  org?: string,
): Promise<VmOperationAccepted> {
  const vm = await findVm(ctx, p, name, org);
  const snapshot = await findSnapshot(ctx, vm, snap);
  const { operationId, cloneId } = await acceptClone(ctx, p, vm, snapshot, body, org);
  return acceptedAnswer(ctx, operationId, cloneId);
}

/** `POST /v1/vms/{id}/snapshots/{name}/image`: an image of the VM's organization. */
export async function publishVmSnapshot(
  ctx: Ctx,
  p: Principal,
  name: string,
  snap: string,
  image: string,
  org?: string,
): Promise<VmOperationAccepted> {
  requireRole(p, 'org_admin', 'publishing an image');
  const vm = await findVm(ctx, p, name, org);
  await findSnapshot(ctx, vm, snap);
  const id = await acceptChange(ctx, vm, {
    kind: 'publish_image',
    call: { params: { id: vm.id, name: snap } },
    demand: NONE,
    publish: { image, snapshot: snap },
  });
  return acceptedAnswer(ctx, id, vm.id);
}
