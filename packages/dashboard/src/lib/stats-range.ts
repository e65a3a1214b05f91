import type { StatsQuery } from '@apiary/protocol';

/*
 * The range picker's choices and the `?since=&step=` each asks for. Within the agent's fine
 * ring (its last hour) the default step is the sample interval, so 15 min and 1 h leave it to
 * the agent; a day is asked in 5-minute steps (288 points), which the agent serves from its
 * coarse ring.
 */
export const STATS_RANGES = [
  { id: '15m', label: '15 min', query: { since: '15m' } },
  { id: '1h', label: '1 h', query: { since: '1h' } },
  { id: '24h', label: '24 h', query: { since: '24h', step: '5m' } },
] as const satisfies ReadonlyArray<{ id: string; label: string; query: StatsQuery }>;

export type StatsRange = (typeof STATS_RANGES)[number]['id'];

export const DEFAULT_STATS_RANGE: StatsRange = '15m';

export function statsQuery(range: StatsRange): StatsQuery {
  const found = STATS_RANGES.find((r) => r.id === range) ?? STATS_RANGES[0];
  return { ...found.query };
}
