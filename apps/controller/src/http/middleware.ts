import { ApiError, REQUEST_ID_HEADER } from '@apiary/protocol';
import type { Context, MiddlewareHandler } from 'hono';
import type { Ctx } from '../context.js';
import { newId, newRequestId } from '../lib/ids.js';
import type { AppEnv } from './app-env.js';
import { requestHeader } from './header.js';

const GOOD_REQUEST_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** Takes the caller's request id when it is well-formed, else mints one; echoes it back. */
export function requestIdMiddleware(ctx: Ctx): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = requestHeader(c, REQUEST_ID_HEADER);
    const requestId = incoming && GOOD_REQUEST_ID.test(incoming) ? incoming : newRequestId();
    c.set('requestId', requestId);
    c.set('log', ctx.log.child({ request_id: requestId }));
    c.header(REQUEST_ID_HEADER, requestId);
    await next();
  };
}

/** One JSON line per request and the request metrics. No headers or bodies: no secrets. */
export function accessLogMiddleware(ctx: Ctx): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath || 'unmatched';
    const status = c.res.status;
    ctx.metrics.httpRequests.inc({ method: c.req.method, route, status: String(status) });
    ctx.metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    // Heartbeats are the bulk of the traffic: logged at debug so they cannot drown the rest.
    const quiet = route.endsWith('/heartbeat') && status < 400;
    c.get('log')[quiet ? 'debug' : 'info']('request', {
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round(seconds * 10000) / 10,
    });
  };
}

/** The one error mapping: ApiError -> its status and body; anything else -> opaque 500. */
export function handleError(ctx: Ctx) {
  return (error: Error, c: Context<AppEnv>) => {
    const requestId = c.get('requestId') ?? newId('req');
    if (error instanceof ApiError) {
      if (error.status >= 500)
        c.get('log')?.warn('request failed', { code: error.code, error: error.message });
      return c.json(error.toBody(requestId), error.status as 400);
    }
    (c.get('log') ?? ctx.log).error('unhandled error', { error });
    return c.json(
      new ApiError('internal', 'internal error; see the controller log for this request id').toBody(
        requestId,
      ),
      500,
    );
  };
}
