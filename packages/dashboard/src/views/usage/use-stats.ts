import { useEffect } from 'preact/hooks';
import type { Api } from '../../api/client.js';
import { useApp } from '../../state/app-context.js';
import { type QueryResult, useQuery } from '../../state/use-query.js';

/** Refresh at least this often (a host whose interval we do not know yet, or sampling off). */
const FALLBACK_MS = 10_000;
/** And never more often than this, whatever interval an agent claims. */
const FLOOR_MS = 1000;

/**
 * A stats read kept live: refetched once per sample interval (the answer says how long that
 * is), so each new sample shows up as it arrives, and by the cache's topics like any other
 * read (host events, the polling fallback). The previous answer stays on screen meanwhile, so
 * charts are fed new data rather than remounted.
 */
export function useStats<T extends { interval_s: number }>(
  key: string,
  fetcher: (api: Api) => Promise<T>,
): QueryResult<T> {
  const { cache } = useApp();
  const result = useQuery(key, fetcher, ['hosts']);
  const interval = result.data?.interval_s ?? 0;
  useEffect(() => {
    const ms = interval > 0 ? Math.max(FLOOR_MS, interval * 1000) : FALLBACK_MS;
    const timer = setInterval(() => void cache.fetch(key), ms);
    return () => clearInterval(timer);
  }, [cache, key, interval]);
  return result;
}
