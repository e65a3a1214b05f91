import type { MiddlewareHandler } from 'hono';
import { newRequestId } from './ids.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';
import { withLogBindings } from './request-context.js';

export interface RequestScopeOptions {
  log: Logger;
  metrics: ServerMetrics;
  /** Requests logged at debug instead of info when they succeed (the bulk traffic, e.g. heartbeats). */
  quiet?: (route: string) => boolean;
}

/** Forwarded ids go into every log line: short and plain only, else one is minted. */
const REQUEST_ID_MAX = 128;
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * The first middleware of both daemons: the request id (the caller's when it is well-formed,
 * else a new `req_...`; echoed in `X-Request-Id`), the rest of the request run in its log scope,
 * then one access line and the request metrics. The line has no headers and no body: no secrets.
 */
export function requestScope(options: RequestScopeOptions): MiddlewareHandler[] {
  const record = requestRecorder(options);
  // One middleware, not hono's request-id plus ours: each layer costs a closure and a promise
  // on every request, and the bulk traffic (heartbeats) is small enough for that to show.
  const scope: MiddlewareHandler = async (c, next) => {
    const id = requestIdFor(c.req.header(REQUEST_ID_HEADER));
    c.set('requestId', id);
    c.header(REQUEST_ID_HEADER, id);
    const started = performance.now();
    await withLogBindings({ request_id: id }, next);
    record({
      id,
      method: c.req.method,
      route: c.req.routePath || 'unmatched',
      path: c.req.path,
      status: c.res.status,
      seconds: (performance.now() - started) / 1000,
    });
  };
  return [scope];
}

/** One request as the access line and the request metrics see it. */
export interface RequestRecord {
  id: string;
  method: string;
  /** The bound pattern (`/v1/hosts/:id`), or `unmatched`: the metrics label. */
  route: string;
  path: string;
  status: number;
  seconds: number;
}

/**
 * What happens after every request, whichever way it was served (hono or the fast lane): one
 * access line (no headers, no body: no secrets) and the request metrics.
 */
export function requestRecorder(options: RequestScopeOptions): (r: RequestRecord) => void {
  const { log } = options;
  const series = requestSeries(options.metrics);
  return (r) => {
    series(r.method, r.route, r.status, r.seconds);
    const quiet = r.status < 400 && (options.quiet?.(r.route) ?? false);
    // A quiet line below the log level is never built.
    if (quiet && !log.isLevelEnabled('debug')) return;
    const fields = {
      request_id: r.id,
      method: r.method,
      path: r.path,
      status: r.status,
      duration_ms: Math.round(r.seconds * 10000) / 10,
    };
    if (quiet) log.debug(fields, 'request');
    else log.info(fields, 'request');
  };
}

/**
 * Records one request in the request metrics. prom-client hashes the labels of every
 * `inc`/`observe`; the children of each (method, route, status) are looked up once and kept.
 * Routes are the bound patterns (or `unmatched`), so the map stays as small as the API.
 */
function requestSeries(metrics: ServerMetrics) {
  const children = new Map<
    string,
    { count: { inc(): void }; duration: { observe(value: number): void } }
  >();
  return (method: string, route: string, status: number, seconds: number) => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (!child) {
      child = {
        count: metrics.httpRequests.labels({ method, route, status: String(status) }),
        duration: metrics.httpDuration.labels({ method, route }),
      };
      children.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  };
}

/**
 * The request id of a request that does not go through hono (a websocket upgrade answered on
 * the Node server's `upgrade` event): the caller's when hono/request-id would keep it, else new.
 */
export function requestIdFor(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value && value.length <= REQUEST_ID_MAX && !/[^\w\-=]/.test(value)
    ? value
    : newRequestId();
}
