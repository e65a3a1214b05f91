import { ApiError, agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentDeps } from '../deps.js';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';
import { hostStats, statsSummary, vmStats } from '../stats/stats-view.js';
import { getVm } from '../vms/vm-store.js';

/** Usage now and history, from what the sampler kept: never a host command per request. */
export function mountStatsRoutes(app: Hono<AgentEnv>, deps: AgentDeps, bind: Bind): void {
  const { stats } = deps;
  const identity = () => ({ hostId: deps.hostId, hostname: deps.hostname });
  bind(app, agentRoutes.statsSummary, () => statsSummary(stats, identity()));
  bind(app, agentRoutes.hostStats, ({ query }) => hostStats(stats, identity(), query, Date.now()));
  bind(app, agentRoutes.vmStats, ({ params, query }) => {
    if (!getVm(deps.db, params.id)) throw new ApiError('not_found', `no VM ${params.id}`);
    return vmStats(stats, params.id, query, Date.now());
  });
}
