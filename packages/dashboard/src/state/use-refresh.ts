import { useEffect } from 'preact/hooks';
import { useApp } from './app-context.js';

/**
 * Refetch these cached reads every `ms` while the view is shown. For figures that change
 * without an event: a host's usage summary rides on heartbeats, which emit none.
 */
export function useRefresh(keys: readonly string[], ms: number): void {
  const { cache } = useApp();
  const joined = keys.join('\n');
  useEffect(() => {
    const timer = setInterval(() => {
      for (const key of joined.split('\n')) void cache.fetch(key);
    }, ms);
    return () => clearInterval(timer);
  }, [cache, joined, ms]);
}
