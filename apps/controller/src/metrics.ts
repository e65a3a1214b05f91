import { createServerMetrics, STEP_BUCKETS } from '@apiary/server-kit';
import { Counter, Gauge, Histogram } from 'prom-client';
import { createOperationsMetrics, type OperationsSources } from './operations-metrics.js';

/** What the core computes when `/metrics` is scraped (never on a heartbeat). */
export interface MetricSources extends OperationsSources {
  hostCounts: () => Promise<{ liveness: Record<string, number>; policy: Record<string, number> }>;
  consoleSessions: () => number;
  /** Orphans the last reconcile passes recorded, by kind (`apiary`, `foreign`). */
  orphanCounts: () => Promise<Record<string, number>>;
}

/** Every metric the controller exports at `/metrics`, beside the server kit's HTTP and process ones. */
export function createControllerMetrics(options: { processMetrics?: boolean } = {}) {
  const server = createServerMetrics({ namespace: 'apiary', ...options });
  const registers = [server.registry];
  const sources: MetricSources = {
    hostCounts: async () => ({ liveness: {}, policy: {} }),
    consoleSessions: () => 0,
    orphanCounts: async () => ({}),
    dbConnections: () => ({ open: 0, idle: 0, waiting: 0, max: 0 }),
    walCheckpoints: () => null,
    leases: () => [],
    leaseCounts: () => ({}),
  };
  return {
    ...server,
    sources,
    ...createOperationsMetrics(sources, registers),
    heartbeats: new Counter({
      name: 'apiary_heartbeats_total',
      help: 'Agent registrations and heartbeats received, by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    placements: new Counter({
      name: 'apiary_placements_total',
      help: 'Environment placements, by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    placementDuration: new Histogram({
      name: 'apiary_placement_duration_seconds',
      help: 'Time to choose hosts and reserve their capacity for one environment.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers,
    }),
    statusReads: new Counter({
      name: 'apiary_status_figure_reads_total',
      help: 'Reads of the status aggregates from the database (other status requests used the kept ones).',
      registers,
    }),
    placementGroupSize: new Histogram({
      name: 'apiary_placement_group_size',
      help: 'Placements written in one shared transaction (group commit).',
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    sagaDuration: new Histogram({
      name: 'apiary_env_operation_duration_seconds',
      help: 'Time an environment operation (create, start, stop, delete) took, by kind and outcome.',
      labelNames: ['kind', 'outcome'] as const,
      buckets: STEP_BUCKETS,
      registers,
    }),
    vmChangeDuration: new Histogram({
      name: 'apiary_vm_change_duration_seconds',
      help: 'Time a VM change operation took from acceptance to its end, by kind and outcome.',
      labelNames: ['kind', 'outcome'] as const,
      buckets: STEP_BUCKETS,
      registers,
    }),
    sagaFailures: new Counter({
      name: 'apiary_saga_failures_total',
      help: 'Environment operations that failed, by kind.',
      labelNames: ['kind'] as const,
      registers,
    }),
    auditWriteFailures: new Counter({
      name: 'apiary_audit_write_failures_total',
      help: 'Audit trail entries that could not be written (the work they describe went on).',
      registers,
    }),
    reaperActions: new Counter({
      name: 'apiary_reaper_actions_total',
      help: 'Reaper actions, by action.',
      labelNames: ['action'] as const,
      registers,
    }),
    livenessTransitions: new Counter({
      name: 'apiary_host_liveness_transitions_total',
      help: 'Host liveness changes, by new state.',
      labelNames: ['to'] as const,
      registers,
    }),
    hostsLiveness: new Gauge({
      name: 'apiary_hosts',
      help: 'Hosts by liveness.',
      labelNames: ['liveness'] as const,
      registers,
      async collect() {
        const counts = await sources.hostCounts();
        this.reset();
        for (const [state, n] of Object.entries(counts.liveness)) this.set({ liveness: state }, n);
      },
    }),
    hostsPolicy: new Gauge({
      name: 'apiary_hosts_policy',
      help: 'Hosts by scheduling policy.',
      labelNames: ['policy'] as const,
      registers,
      async collect() {
        const counts = await sources.hostCounts();
        this.reset();
        for (const [policy, n] of Object.entries(counts.policy)) this.set({ policy }, n);
      },
    }),
    orphanVms: new Gauge({
      name: 'apiary_orphan_vms',
      help: 'VM ids hosts hold that the controller has no record of, by kind (apiary-made or foreign).',
      labelNames: ['kind'] as const,
      registers,
      async collect() {
        const counts = await sources.orphanCounts();
        this.reset();
        for (const kind of ['apiary', 'foreign']) this.set({ kind }, 0);
        for (const [kind, n] of Object.entries(counts)) this.set({ kind }, n);
      },
    }),
    orphanRemovals: new Counter({
      name: 'apiary_orphan_removals_total',
      help: 'Deletes of orphan VMs asked of agents (remove policy), by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    hostReconciles: new Counter({
      name: 'apiary_host_reconciles_total',
      help: 'Hosts listed and compared with the books by the reconcile pass, by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    consoleConnections: new Counter({
      name: 'apiary_console_connections_total',
      help: 'Console websocket attempts, by kind and result.',
      labelNames: ['kind', 'result'] as const,
      registers,
    }),
    consoleSessions: new Gauge({
      name: 'apiary_console_sessions',
      help: 'Console sessions open now.',
      registers,
      collect() {
        this.set(sources.consoleSessions());
      },
    }),
  };
}
export type ControllerMetrics = ReturnType<typeof createControllerMetrics>;
