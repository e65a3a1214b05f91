import { createSseParser, type SseEvent } from './sse-parser.js';

/** `live`: events are streaming. `polling`: the stream is down; views poll until it is back. */
export type LiveStatus = 'connecting' | 'live' | 'polling';

export interface EventStreamOptions {
  /** Absolute URL of the controller's `GET /v1/events`. */
  url: string;
  token: () => string | undefined;
  onEvent: (event: SseEvent) => void;
  onStatus: (status: LiveStatus) => void;
  /** Called on every (re)connection: events may have been missed while the stream was down. */
  onOpen?: () => void;
  /** The stream answered 401: the session is gone. The stream stops. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
  /** First reconnect delay; doubles per failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
  /** A stream that sends nothing (not even a keep-alive comment) this long is presumed dead. */
  idleTimeoutMs?: number;
}

export interface EventStream {
  stop(): void;
}

/**
 * Consumes the controller's server-sent events with fetch() so the session token travels in the
 * Authorization header (EventSource cannot set headers; tokens never go in URLs). Reconnects
 * with capped exponential backoff; while disconnected the status is `polling`, which tells
 * views to fall back to periodic refresh.
 */
export function startEventStream(options: EventStreamOptions): EventStream {
  const stop = new AbortController();
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const baseRetry = options.retryMs ?? 1000;
  const maxRetry = options.maxRetryMs ?? 15_000;
  const idleTimeout = options.idleTimeoutMs ?? 60_000;

  const run = async () => {
    let failures = 0;
    let serverRetry: number | undefined;
    options.onStatus('connecting');
    while (!stop.signal.aborted) {
      const attempt = new AbortController();
      const signal = AbortSignal.any([stop.signal, attempt.signal]);
      let idleTimer: ReturnType<typeof setTimeout> | undefined;
      const armIdle = () => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => attempt.abort(), idleTimeout);
      };
      let notFound = false;
      try {
        const headers: Record<string, string> = { accept: 'text/event-stream' };
        const token = options.token();
        if (token) headers.authorization = `Bearer ${token}`;
        armIdle();
        const response = await fetchImpl(options.url, { headers, signal, cache: 'no-store' });
        if (response.status === 401) {
          clearTimeout(idleTimer);
          options.onUnauthorized?.();
          return;
        }
        notFound = response.status === 404;
        const type = response.headers.get('content-type') ?? '';
        if (!response.ok || !response.body || !type.includes('text/event-stream')) {
          await response.body?.cancel().catch(() => {});
          throw new Error(`event stream unavailable: HTTP ${response.status}`);
        }
        const parser = createSseParser(options.onEvent);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        // Cancel the read ourselves: not every fetch ties the body to the request's signal.
        signal.addEventListener('abort', () => void reader.cancel().catch(() => {}), {
          once: true,
        });
        failures = 0;
        options.onStatus('live');
        options.onOpen?.();
        for (;;) {
          armIdle();
          const { done, value } = await reader.read();
          if (done) break;
          parser.push(value);
          serverRetry = parser.retryMs ?? serverRetry;
        }
      } catch {
        // Network error, abort, idle timeout or a refused stream: all mean "reconnect later".
      } finally {
        clearTimeout(idleTimer);
      }
      if (stop.signal.aborted) return;
      options.onStatus('polling');
      // An endpoint that does not exist will not appear in a second: look again much later.
      const base = notFound ? 30_000 : (serverRetry ?? baseRetry);
      const delay = Math.min(notFound ? 60_000 : maxRetry, base * 2 ** Math.min(failures, 8));
      failures++;
      await sleep(delay, stop.signal);
    }
  };
  void run();
  return { stop: () => stop.abort() };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
