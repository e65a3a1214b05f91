import type {
  HostStats,
  HostStatsHistory,
  HostStatsSummary,
  StatsQuery,
  VmStats,
} from '@apiary/protocol';
import { historyGrid } from './history-grid.js';
import { groupName } from './history-rows.js';
import type { StatsSampler } from './stats-sampler.js';

/*
 * The stats answers, built from what the sampler kept: no host command, whatever the query.
 */

export interface HostIdentity {
  hostId: string;
  hostname: string;
}

export function statsSummary(sampler: StatsSampler, host: HostIdentity): HostStatsSummary {
  const now = sampler.current();
  return {
    host_id: host.hostId,
    hostname: host.hostname,
    interval_s: sampler.intervalS,
    usage: now?.summary ?? null,
    now: now?.host ?? null,
  };
}

function axis(start: number, step: number, count: number): number[] {
  return Array.from({ length: count }, (_, k) => start + k * step);
}

/** Every group under a prefix (`link:`, `pool:`), by the name after it. */
function groupsUnder(
  sampler: StatsSampler,
  prefix: string,
  grid: ReturnType<typeof historyGrid>,
): HostStatsHistory['links'] {
  const out: HostStatsHistory['links'] = {};
  for (const g of sampler.history.groupNames()) {
    if (!g.startsWith(prefix)) continue;
    const series = sampler.history.series(g, grid);
    if (series) out[g.slice(prefix.length)] = series;
  }
  return out;
}

export function hostStats(
  sampler: StatsSampler,
  host: HostIdentity,
  query: StatsQuery,
  nowMs: number,
): HostStats {
  const grid = historyGrid(query, Math.floor(nowMs / 1000), sampler.history);
  return {
    ...statsSummary(sampler, host),
    history: {
      step_s: grid.step,
      t: axis(grid.start, grid.step, grid.count),
      host: sampler.history.series(groupName.host, grid) ?? {},
      links: groupsUnder(sampler, groupName.link(''), grid),
      pools: groupsUnder(sampler, groupName.pool(''), grid),
    },
  };
}

export function vmStats(
  sampler: StatsSampler,
  vmId: string,
  query: StatsQuery,
  nowMs: number,
): VmStats {
  const grid = historyGrid(query, Math.floor(nowMs / 1000), sampler.history);
  return {
    vm_id: vmId,
    interval_s: sampler.intervalS,
    now: sampler.current()?.vms.get(vmId) ?? null,
    history: {
      step_s: grid.step,
      t: axis(grid.start, grid.step, grid.count),
      vm: sampler.history.series(groupName.vm(vmId), grid) ?? {},
    },
  };
}
