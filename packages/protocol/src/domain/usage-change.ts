import type { UsageSummary } from '../schemas/stats.js';

/*
 * When a host's usage summary is news. Agents send a summary with a heartbeat only when it moved
 * past these thresholds (or aged past USAGE_SUMMARY_MAX_AGE_MS), and the controller applies the
 * same rule to the summaries it polls from hosts added by address: one rule, so a quiet host
 * costs no database write either way.
 */

export const USAGE_SUMMARY_THRESHOLDS = {
  /** Percentage points of host CPU. */
  cpuPercent: 5,
  /** Share of physical memory. */
  memFraction: 0.02,
  /** A traffic change counts when it is this much relative AND this many bytes a second. */
  netRelative: 0.2,
  netBytesPerS: 128 * 1024,
} as const;

/** A summary is sent again after this long even unchanged (a restarted reader learns it). */
export const USAGE_SUMMARY_MAX_AGE_MS = 5 * 60_000;

function netMoved(before: number | null, after: number | null): boolean {
  if (before === null || after === null) return before !== after;
  const change = Math.abs(after - before);
  return (
    change >= USAGE_SUMMARY_THRESHOLDS.netBytesPerS &&
    change >= USAGE_SUMMARY_THRESHOLDS.netRelative * Math.max(before, after)
  );
}

/** Whether `next` differs from `last` by more than the thresholds. */
export function usageMoved(last: UsageSummary, next: UsageSummary): boolean {
  const memUnit = Math.max(1, next.mem_total_bytes) * USAGE_SUMMARY_THRESHOLDS.memFraction;
  return (
    Math.abs(next.cpu_percent - last.cpu_percent) >= USAGE_SUMMARY_THRESHOLDS.cpuPercent ||
    Math.abs(next.mem_used_bytes - last.mem_used_bytes) >= memUnit ||
    next.mem_total_bytes !== last.mem_total_bytes ||
    netMoved(last.net_rx_bytes_per_s, next.net_rx_bytes_per_s) ||
    netMoved(last.net_tx_bytes_per_s, next.net_tx_bytes_per_s)
  );
}
