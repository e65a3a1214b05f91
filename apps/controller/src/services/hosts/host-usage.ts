import {
  type FleetUsage,
  USAGE_SUMMARY_MAX_AGE_MS,
  type UsageSummary,
  usageMoved,
} from '@apiary/protocol';
import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.js';

/*
 * Each host's latest usage summary lives in its `hosts` row (`usage`), so every controller
 * sharing the database shows and places with the same figures. It is written only when news
 * arrives: an agent puts a summary on a heartbeat only when it moved past its thresholds, and a
 * polled summary (hosts added by address) is held to the same rule, so a quiet host's
 * heartbeats and polls still write nothing.
 */

/** Stores the summary a heartbeat carried (the agent sends one only when it moved). */
export async function recordUsage(ctx: Ctx, hostId: string, usage: UsageSummary): Promise<void> {
  const { hosts } = ctx.t;
  await ctx.db.update(hosts).set({ usage }).where(eq(hosts.id, hostId));
}

/**
 * Whether a polled summary is news against the last one stored: the heartbeat rule (moved past
 * the thresholds, or the stored one is older than the summary's maximum age).
 */
export function polledUsageIsNews(last: UsageSummary | null, next: UsageSummary): boolean {
  if (!last) return true;
  if (next.sampled_at === last.sampled_at) return false;
  const age = Date.parse(next.sampled_at) - Date.parse(last.sampled_at);
  return age >= USAGE_SUMMARY_MAX_AGE_MS || usageMoved(last, next);
}

/** What `fleetUsage` needs of a host. */
export interface UsageOfHost {
  usage: UsageSummary | null;
  /** CPUs the host offers (weights its CPU share). */
  cpus: number;
  down: boolean;
}

/**
 * The fleet's usage from its hosts' summaries: hosts that are down are left out (their figures
 * are stale); CPU is weighted by each host's CPU count. Null when no host counts.
 */
export function fleetUsage(hosts: UsageOfHost[]): FleetUsage | null {
  const counted = hosts.filter((h) => !h.down && h.usage !== null);
  if (counted.length === 0) return null;
  let cpuWeighted = 0;
  let cpus = 0;
  const sum: Omit<FleetUsage, 'hosts' | 'cpu_percent' | 'oldest_sampled_at'> = {
    mem_used_bytes: 0,
    mem_total_bytes: 0,
    net_rx_bytes_per_s: 0,
    net_tx_bytes_per_s: 0,
  };
  let oldest = '';
  let oldestMs = 0;
  for (const { usage: u, cpus: n } of counted as Array<UsageOfHost & { usage: UsageSummary }>) {
    const weight = Math.max(1, n);
    cpuWeighted += u.cpu_percent * weight;
    cpus += weight;
    sum.mem_used_bytes += u.mem_used_bytes;
    sum.mem_total_bytes += u.mem_total_bytes;
    sum.net_rx_bytes_per_s += u.net_rx_bytes_per_s ?? 0;
    sum.net_tx_bytes_per_s += u.net_tx_bytes_per_s ?? 0;
    // Parsed once per host (status sums 10,000 of them per request).
    const at = Date.parse(u.sampled_at);
    if (oldest === '' || at < oldestMs) {
      oldest = u.sampled_at;
      oldestMs = at;
    }
  }
  return {
    hosts: counted.length,
    cpu_percent: Math.round((cpuWeighted / cpus) * 10) / 10,
    ...sum,
    oldest_sampled_at: oldest,
  };
}
