import { REQUEST_ID_HEADER } from '@apiary/protocol';
import type { MiddlewareHandler } from 'hono';
import { newId } from '../ids.js';
import { type Logger, withRequestId } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { AgentEnv } from './env.js';

/** A forwarded request id is kept only if it is short and plain (it goes into every log line). */
const SAFE_REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * Assigns the request id (the controller's, when it sent one), runs the rest of the request in
 * its log scope, and writes one access line per request.
 */
export function requestContext(log: Logger, metrics: Metrics): MiddlewareHandler<AgentEnv> {
  return async (c, next) => {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : newId('req');
    c.set('requestId', requestId);
    c.set('principal', null);
    c.header(REQUEST_ID_HEADER, requestId);
    const started = performance.now();
    await withRequestId(requestId, async () => {
      await next();
    });
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const route = c.req.routePath || 'unmatched';
    metrics.observeRequest(c.req.method, route, c.res.status, durationMs);
    withRequestId(requestId, () =>
      log.info({
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        duration_ms: durationMs,
      }, 'request'),
    );
  };
}
