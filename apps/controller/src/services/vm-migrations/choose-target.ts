import { ApiError, type InsufficientCapacityDetails } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { VmRow } from '../envs/env-view.js';
import { loadAllHosts } from '../placement/candidates.js';
import { hostRefusals, planPlacement, type VmDemand } from '../placement/plan.js';
import { diskTotal } from '../vm-changes/record-step.js';

/**
 * What the VM needs on its new host: its whole machine, as placement counts it, and every
 * network it joins (a host without one of them cannot take it: the VM would lose a NIC).
 */
export function migrationDemand(vm: VmRow): VmDemand {
  return {
    cpu: vm.cpu,
    mem: vm.mem,
    disk: diskTotal(vm.disk, vm.disks),
    engine: vm.engine,
    digest: vm.imageDigest ?? '',
    ...(vm.networks ? { networks: vm.networks } : {}),
  };
}

/**
 * The host a VM moves to: `to` when named (404 when the organization has no such host, 409 with
 * the host's reasons when it cannot take the VM), else the one placement picks among the
 * organization's hosts, never the VM's own. The capacity is reserved afterwards, with the same
 * conditional write as placement's, in the transaction that accepts the migration.
 */
export async function chooseTarget(ctx: Ctx, vm: VmRow, to?: string): Promise<string> {
  const source = vm.hostId ?? '';
  const demand = migrationDemand(vm);
  if (to !== undefined) {
    const host = (await loadAllHosts(ctx, vm.orgId, [demand.digest])).find((h) => h.id === to);
    if (!host) throw new ApiError('not_found', `host ${to} not found`);
    if (host.id === source) throw new ApiError('conflict', `VM ${vm.name} is on ${to} already`);
    const reasons = hostRefusals(host, demand, vm.orgId, 0);
    if (reasons.length > 0) {
      throw new ApiError('conflict', `host ${to} cannot take VM ${vm.name}: ${reasons.join('; ')}`);
    }
    return host.id;
  }
  const strategy = ctx.config.placement;
  const others = (hosts: Awaited<ReturnType<typeof loadAllHosts>>) =>
    hosts.filter((h) => h.id !== source);
  // The candidates a placement would get (the index in memory, see candidate-index.ts).
  await ctx.candidates.current(ctx);
  let plan = planPlacement(
    others(ctx.candidates.candidates(ctx, vm.orgId, [demand], strategy)),
    [demand],
    vm.orgId,
    strategy,
  );
  if (plan.ok) return plan.hostIds[0] as string;
  plan = planPlacement(
    others(await loadAllHosts(ctx, vm.orgId, [demand.digest])),
    [demand],
    vm.orgId,
    strategy,
  );
  if (plan.ok) return plan.hostIds[0] as string;
  const details: InsufficientCapacityDetails = { vm_index: 0, hosts: plan.refusals };
  const why = plan.refusals.map((r) => `${r.host_id}: ${r.reasons.join(', ')}`).join('; ');
  throw new ApiError(
    'insufficient_capacity',
    plan.refusals.length === 0
      ? `no other host of the organization can take VM ${vm.name}: it has no other host`
      : `no other host can take VM ${vm.name} (${why})`,
    { details },
  );
}
