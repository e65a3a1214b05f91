import { ApiError, type HostStats, type StatsQuery, type VmStats } from '@apiary/protocol';
import type { Ctx } from '../../context.js';
import type { Principal } from '../auth/principal.js';
import { findVm } from '../envs/addressing.js';
import { getHostRow, getVisibleHost } from '../hosts/host-view.js';
import { askAgentForStats, renameLinks, vmNamesOf } from './agent-stats.js';

/** `GET /v1/hosts/{id}/stats`: the agent's history of a host the caller may see (else 404). */
export async function hostStats(
  ctx: Ctx,
  p: Principal,
  id: string,
  query: StatsQuery,
): Promise<HostStats> {
  const host = await getVisibleHost(ctx, p, id);
  const stats = await askAgentForStats(
    ctx,
    host,
    (agent, options) => agent.hostStats({ query }, options),
    { code: 'upstream_failed', msg: 'has no usage statistics (its agent is older than them)' },
  );
  if (!stats.now) return stats;
  const names = await vmNamesOf(ctx, stats.now.links);
  return { ...stats, now: { ...stats.now, links: renameLinks(stats.now.links, names) } };
}

/**
 * `GET /v1/vms/{id}/stats`: the history of a VM the caller may address (else 404), from the
 * agent of the host it is on, under the name users know it by.
 */
export async function vmStats(
  ctx: Ctx,
  p: Principal,
  name: string,
  query: StatsQuery & { org?: string },
): Promise<VmStats> {
  const { org, ...window } = query;
  const vm = await findVm(ctx, p, name, org);
  const host = vm.hostId ? await getHostRow(ctx, vm.hostId) : undefined;
  if (!host) {
    throw new ApiError('conflict', `VM ${name} is on no host yet: it has no usage`, {
      forClient: true,
    });
  }
  const stats = await askAgentForStats(
    ctx,
    host,
    (agent, options) => agent.vmStats({ params: { id: vm.id }, query: window }, options),
    {
      code: 'conflict',
      msg: `has no usage figures for VM ${name} (not created there yet, or gone)`,
    },
  );
  const now = stats.now;
  const names = new Map([[vm.id, vm.name]]);
  return {
    ...stats,
    vm_id: vm.name,
    now: now && {
      ...now,
      vm_id: vm.name,
      net: { ...now.net, links: renameLinks(now.net.links, names) },
    },
  };
}
