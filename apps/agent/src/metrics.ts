import { createServerMetrics, LATENCY_BUCKETS, STEP_BUCKETS } from '@apiary/server-kit';
import { Counter, Gauge, Histogram } from 'prom-client';

/** What `/metrics` reads at scrape time: from the database and cached totals, never a host command. */
export interface AgentMetricSources {
  vmsByState: () => Map<string, number>;
  capacity: () => {
    total: Record<'cpu' | 'mem' | 'disk', number>;
    used: Record<'cpu' | 'mem' | 'disk', number>;
  };
  images: () => number;
  freeHostPorts: () => number;
  inventoryGeneration: () => number;
}

const RESOURCES = ['cpu', 'mem', 'disk'] as const;

/** Every metric the agent exports at `/metrics`, beside the server kit's HTTP and process ones. */
export function createAgentMetrics(options: { processMetrics?: boolean } = {}) {
  const server = createServerMetrics({ namespace: 'apiary_agent', ...options });
  const registers = [server.registry];
  const sources: AgentMetricSources = {
    vmsByState: () => new Map(),
    capacity: () => ({ total: { cpu: 0, mem: 0, disk: 0 }, used: { cpu: 0, mem: 0, disk: 0 } }),
    images: () => 0,
    freeHostPorts: () => 0,
    inventoryGeneration: () => 0,
  };
  const scraped = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read());
      },
    });
  return {
    ...server,
    sources,
    hostCommandDuration: new Histogram({
      name: 'apiary_agent_host_command_duration_seconds',
      help: 'Time a host command (zoneadm, zfs, dladm, ...) took, by command and result.',
      labelNames: ['command', 'result'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    sagaStepDuration: new Histogram({
      name: 'apiary_agent_saga_step_duration_seconds',
      help: 'Time one step of a VM saga took, by phase (run or undo), step and result.',
      labelNames: ['phase', 'step', 'result'] as const,
      buckets: STEP_BUCKETS,
      registers,
    }),
    operations: new Counter({
      name: 'apiary_agent_operations_total',
      help: 'VM operations finished, by kind and result.',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    vms: new Gauge({
      name: 'apiary_agent_vms',
      help: 'VMs on this host, by state.',
      labelNames: ['state'] as const,
      registers,
      collect() {
        this.reset();
        for (const [state, n] of sources.vmsByState()) this.set({ state }, n);
      },
    }),
    capacityTotal: new Gauge({
      name: 'apiary_agent_capacity',
      help: 'Host capacity by resource (cpu in vCPUs, mem and disk in MiB).',
      labelNames: ['resource'] as const,
      registers,
      collect() {
        const { total } = sources.capacity();
        for (const r of RESOURCES) this.set({ resource: r }, total[r]);
      },
    }),
    capacityReserved: new Gauge({
      name: 'apiary_agent_capacity_reserved',
      help: 'Capacity reserved by VMs, by resource (cpu in vCPUs, mem and disk in MiB).',
      labelNames: ['resource'] as const,
      registers,
      collect() {
        const { used } = sources.capacity();
        for (const r of RESOURCES) this.set({ resource: r }, used[r]);
      },
    }),
    images: scraped('apiary_agent_images', 'Images in the local store.', () => sources.images()),
    freeHostPorts: scraped('apiary_agent_free_host_ports', 'Host ports left for forwards.', () =>
      sources.freeHostPorts(),
    ),
    inventoryGeneration: scraped(
      'apiary_agent_inventory_generation',
      'Generation of the inventory reported to the controller.',
      () => sources.inventoryGeneration(),
    ),
  };
}
export type AgentMetrics = ReturnType<typeof createAgentMetrics>;
