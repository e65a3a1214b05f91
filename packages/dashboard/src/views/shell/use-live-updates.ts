import { useEffect, useState } from 'preact/hooks';
import { type LiveStatus, startEventStream } from '../../api/event-stream.js';
import type { QueryCache } from '../../state/query-cache.js';
import { type Topic, topicsForEvent } from '../../state/topics.js';

/** Poll this often while the event stream is down, and this often as a safety net while live. */
const POLL_MS = 4000;
const SAFETY_MS = 60_000;
/** Bursts of events (a drain moving ten VMs) become one refresh per topic. */
const BATCH_MS = 150;

/**
 * Keeps the cache fresh: events from `GET /v1/events` invalidate the topics they touch; when the
 * stream is down every watched query is polled instead, so the screen never goes stale.
 */
export function useLiveUpdates(
  cache: QueryCache,
  token: string,
  onUnauthorized: () => void,
): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    let pending = new Set<Topic>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let opened = 0;
    const flush = () => {
      timer = undefined;
      const topics = [...pending];
      pending = new Set();
      cache.invalidate(topics);
    };
    const stream = startEventStream({
      url: new URL('/v1/events', window.location.origin).href,
      token: () => token,
      onStatus: setStatus,
      onUnauthorized,
      onOpen: () => {
        // Anything may have changed while we were not listening; the very first open is the
        // initial load, which the views are already fetching.
        if (opened++ > 0) cache.invalidateAll();
      },
      onEvent: (event) => {
        for (const topic of topicsForEvent(event.event)) pending.add(topic);
        if (pending.size > 0 && !timer) timer = setTimeout(flush, BATCH_MS);
      },
    });
    return () => {
      stream.stop();
      clearTimeout(timer);
    };
  }, [cache, token, onUnauthorized]);

  useEffect(() => {
    const timer = setInterval(() => cache.invalidateAll(), status === 'live' ? SAFETY_MS : POLL_MS);
    return () => clearInterval(timer);
  }, [cache, status]);

  return status;
}
