import { useEffect, useReducer } from 'preact/hooks';
import type { Api } from '../api/client.js';
import { useApp } from './app-context.js';
import type { QueryState } from './query-cache.js';
import type { Topic } from './topics.js';

export interface QueryResult<T> extends QueryState<T> {
  refetch: () => Promise<void>;
}

/**
 * Read from the API through the shared cache: the first watcher fetches, server events and the
 * polling fallback refresh it (by topic), and every watcher re-renders with the new answer.
 */
export function useQuery<T>(
  key: string,
  fetcher: (api: Api) => Promise<T>,
  topics: readonly Topic[],
): QueryResult<T> {
  const { api, cache } = useApp();
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const rerender = () => bump(undefined);
  cache.register(key, () => fetcher(api), topics);
  useEffect(() => {
    const unsubscribe = cache.subscribe(key, rerender);
    const state = cache.get(key);
    if (state && state.fetchedAt === 0 && !state.loading) void cache.fetch(key);
    return unsubscribe;
  }, [cache, key]);
  const state = cache.get<T>(key) ?? {
    data: undefined,
    error: undefined,
    loading: true,
    fetchedAt: 0,
  };
  return { ...state, refetch: () => cache.fetch(key) };
}
