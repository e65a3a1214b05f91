import type { MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
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

/**
 * The first middleware of both daemons: the request id (the caller's when it is well-formed,
 * else a new `req_...`; echoed in `X-Request-Id`), the rest of the request run in its log scope,
 * then one access line and the request metrics. The line has no headers and no body: no secrets.
 */
export function requestScope(options: RequestScopeOptions): MiddlewareHandler[] {
  const { log, metrics } = options;
  const scope: MiddlewareHandler = async (c, next) => {
    const id = c.get('requestId') as string;
    const started = performance.now();
    await withLogBindings({ request_id: id }, next);
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath || 'unmatched';
    const status = c.res.status;
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    const quiet = status < 400 && (options.quiet?.(route) ?? false);
    const fields = {
      request_id: id,
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round(seconds * 10000) / 10,
    };
    if (quiet) log.debug(fields, 'request');
    else log.info(fields, 'request');
  };
  return [requestId({ limitLength: REQUEST_ID_MAX, generator: () => newRequestId() }), scope];
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
