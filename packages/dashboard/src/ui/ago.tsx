import { formatAgo } from '../lib/format.js';
import { useNow } from '../state/use-now.js';

/**
 * "12s ago", kept current by the shared clock. The label re-renders on each tick, not the
 * component around it: a fleet of host cards does not render again every few seconds.
 */
export function Ago({
  at,
  intervalMs = 5000,
}: {
  at: string | null | undefined;
  intervalMs?: number;
}) {
  return <>{formatAgo(at, useNow(intervalMs))}</>;
}
