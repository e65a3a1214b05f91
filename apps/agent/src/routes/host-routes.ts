import { type AgentInfo, API_VERSION, agentRoutes } from '@apiary/protocol';
import { metricsResponse } from '@apiary/server-kit';
import type { Hono } from 'hono';
import { usedResources } from '../capacity/host-capacity.js';
import type { AgentDeps } from '../deps.js';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';
import { AGENT_VERSION } from '../version.js';
import { countVms } from '../vms/vm-store.js';

/** Built from the database and cached totals only: info never waits on a host command. */
export function buildInfo(deps: AgentDeps): AgentInfo {
  return {
    host_id: deps.hostId,
    hostname: deps.hostname,
    agent_version: AGENT_VERSION,
    api_version: API_VERSION,
    engines: ['bhyve'],
    storage: deps.storage,
    resources: { total: deps.resources.total(), used: usedResources(deps.db) },
    images: deps.images.list(1000, 0).items,
    vm_count: countVms(deps.db),
    controller: deps.controllerStatus(),
  };
}

export function mountHostRoutes(app: Hono<AgentEnv>, deps: AgentDeps, bind: Bind): void {
  bind(app, agentRoutes.health, () => ({ status: 'healthy' as const }));
  bind(app, agentRoutes.info, () => buildInfo(deps));
  // What it reports is read at scrape time (agent.ts wires the sources): no host command.
  app.get('/metrics', () => metricsResponse(deps.metrics.registry));
}
