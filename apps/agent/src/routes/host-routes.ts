import { type AgentInfo, API_VERSION, agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import { currentGeneration } from '../db/meta-store.js';
import type { AgentDeps } from '../deps.js';
import { usedResources } from '../host-resources-service.js';
import type { AgentEnv } from '../http/env.js';
import { mountRoute } from '../http/mount.js';
import { AGENT_VERSION } from '../version.js';
import { freePortCount } from '../vms/allocations.js';
import { countVms, listVmRows } from '../vms/vm-store.js';

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

export function mountHostRoutes(app: Hono<AgentEnv>, deps: AgentDeps): void {
  mountRoute(app, deps.db, agentRoutes.health, () => ({ status: 'healthy' as const }));
  mountRoute(app, deps.db, agentRoutes.info, () => buildInfo(deps));
  app.get('/metrics', (c) => {
    const byState = new Map<string, number>();
    for (const vm of listVmRows(deps.db)) byState.set(vm.state, (byState.get(vm.state) ?? 0) + 1);
    const total = deps.resources.total();
    const used = usedResources(deps.db);
    const text = deps.metrics.render([
      {
        name: 'apiary_agent_vms',
        help: 'VMs on this host by state',
        samples: [...byState].map(([state, value]) => ({ labels: { state }, value })),
      },
      {
        name: 'apiary_agent_capacity_total',
        help: 'Host capacity (cpu in vCPUs, mem and disk in MiB)',
        samples: (['cpu', 'mem', 'disk'] as const).map((r) => ({
          labels: { resource: r },
          value: total[r],
        })),
      },
      {
        name: 'apiary_agent_capacity_used',
        help: 'Capacity reserved by VMs',
        samples: (['cpu', 'mem', 'disk'] as const).map((r) => ({
          labels: { resource: r },
          value: used[r],
        })),
      },
      {
        name: 'apiary_agent_images',
        help: 'Images in the local store',
        samples: [{ value: deps.images.list(1, 0).total }],
      },
      {
        name: 'apiary_agent_free_host_ports',
        help: 'Host ports left for forwards',
        samples: [{ value: freePortCount(deps.db, deps.portRange) }],
      },
      {
        name: 'apiary_agent_inventory_generation',
        help: 'Inventory generation',
        samples: [{ value: currentGeneration(deps.db) }],
      },
    ]);
    return c.text(text, 200, { 'content-type': 'text/plain; version=0.0.4' });
  });
}
