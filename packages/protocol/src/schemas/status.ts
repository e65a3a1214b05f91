import { z } from 'zod';
import { Resources, Timestamp } from './common.js';

/**
 * The fleet's usage summed from each host's latest summary (see `Host.usage`). CPU is each host's
 * share weighted by its CPU count; traffic sums the hosts that have a rate.
 */
export const FleetUsage = z.object({
  /** Hosts whose summaries are counted. */
  hosts: z.int().min(0),
  cpu_percent: z.number().min(0).max(100),
  mem_used_bytes: z.number().min(0),
  mem_total_bytes: z.number().min(0),
  net_rx_bytes_per_s: z.number().min(0),
  net_tx_bytes_per_s: z.number().min(0),
  /** When the oldest of the summaries counted was taken. */
  oldest_sampled_at: Timestamp,
});
export type FleetUsage = z.infer<typeof FleetUsage>;

/** `GET /v1/status`: the fleet at a glance, scoped to the caller's organization. */
export const FleetStatus = z.object({
  hosts: z.object({
    total: z.int(),
    ready: z.int(),
    suspect: z.int(),
    down: z.int(),
    eligible: z.int(),
    draining: z.int(),
    maintenance: z.int(),
  }),
  capacity: z.object({ total: Resources, reserved: Resources, free: Resources }),
  /** Usage of the hosts that are not down and have a summary; null when none has. */
  usage: FleetUsage.nullable().default(null),
  envs: z.object({ total: z.int(), by_state: z.record(z.string(), z.int()) }),
  vms: z.object({ total: z.int(), by_state: z.record(z.string(), z.int()) }),
  images: z.int(),
  version: z.string(),
});
export type FleetStatus = z.infer<typeof FleetStatus>;

export const ServiceInfo = z.object({ service: z.string(), version: z.string() });
export type ServiceInfo = z.infer<typeof ServiceInfo>;

/**
 * A lease the answering controller holds now: the background passes it runs for the whole
 * installation (`pass:reap`, ...) and whatever else it took one for. Only on PostgreSQL; a lone
 * SQLite controller runs everything without leases and lists none.
 */
export const HealthLease = z.object({
  name: z.string(),
  /** `pass` (a background pass), or another kind a later part of the controller adds. */
  kind: z.string(),
  /** Raised on every takeover: a write fenced with an older epoch is refused. */
  epoch: z.int().min(1),
  /** When it runs out unless renewed, by the database's clock. */
  expires_at: Timestamp,
});
export type HealthLease = z.infer<typeof HealthLease>;

export const Health = z.object({
  status: z.enum(['healthy', 'degraded', 'unhealthy']),
  /** The controller's database, as this controller reaches it (absent from agents and older controllers). */
  database: z
    .object({
      engine: z.enum(['sqlite', 'postgres']),
      ok: z.boolean(),
      latency_ms: z.number(),
    })
    .optional(),
  /** The leases the answering controller holds (absent from agents and older controllers). */
  leases: z.array(HealthLease).optional(),
});
export type Health = z.infer<typeof Health>;

/** Placement refusal: per host, why it could not take the request. */
export const PlacementRefusal = z.object({
  host_id: z.string(),
  hostname: z.string(),
  reasons: z.array(z.string()),
});
export type PlacementRefusal = z.infer<typeof PlacementRefusal>;

/** `details` of an `insufficient_capacity` error: the first VM no host could take, and why. */
export const InsufficientCapacityDetails = z.object({
  /** Index in the request's `vms` of the VM that could not be placed. */
  vm_index: z.int().min(0),
  hosts: z.array(PlacementRefusal),
});
export type InsufficientCapacityDetails = z.infer<typeof InsufficientCapacityDetails>;
