import { ApiError } from '@apiary/protocol';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createErrorHandler, notFoundHandler } from '../src/error-handler.js';
import { createMemoryLogger } from '../src/logger.js';
import { createServerMetrics } from '../src/metrics.js';
import { currentRequestId } from '../src/request-context.js';
import { requestScope } from '../src/request-scope.js';

function buildApp() {
  const { log, records } = createMemoryLogger();
  const metrics = createServerMetrics({ namespace: 't', processMetrics: false });
  const app = new Hono();
  app.use('*', ...requestScope({ log, metrics, quiet: (route) => route.endsWith('/beat') }));
  app.get('/work', async (c) => {
    await new Promise((r) => setTimeout(r, 1));
    log.info('working');
    return c.json({ seen: currentRequestId() });
  });
  app.get('/beat', (c) => c.body(null, 204));
  app.get('/teapot', () => {
    throw new ApiError('conflict', 'VM vm1 is stopping');
  });
  app.get('/broken', () => {
    throw new Error('database file /var/db/secret-path is locked');
  });
  app.get('/agent-down', () => {
    throw new ApiError('upstream_failed', 'agent at 10.0.0.7:9100 said: ECONNRESET');
  });
  app.notFound(notFoundHandler);
  app.onError(createErrorHandler({ log, service: 'controller' }));
  return { app, records, metrics };
}

describe('requestScope', () => {
  it('mints a request id, echoes it and binds it to every log line of the request', async () => {
    const { app, records } = buildApp();
    const res = await app.request('/work');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^req_[0-9a-f]{24}$/);
    expect(await res.json()).toEqual({ seen: id });
    const lines = records();
    expect(lines.find((l) => l.msg === 'working')?.request_id).toBe(id);
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({
      request_id: id,
      method: 'GET',
      path: '/work',
      status: 200,
    });
  });

  it('keeps a well-formed caller id and replaces a malformed one', async () => {
    const { app } = buildApp();
    const kept = await app.request('/work', { headers: { 'x-request-id': 'req_from-controller' } });
    expect(kept.headers.get('x-request-id')).toBe('req_from-controller');
    const replaced = await app.request('/work', { headers: { 'x-request-id': 'a b {"x":1}' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('logs quiet routes at debug while they succeed', async () => {
    const { app, records } = buildApp();
    await app.request('/beat');
    expect(records().find((l) => l.path === '/beat')?.level).toBe('debug');
  });

  it('counts requests by route template and status', async () => {
    const { app, metrics } = buildApp();
    await app.request('/work');
    await app.request('/nowhere');
    const text = await metrics.registry.metrics();
    expect(text).toContain('t_http_requests_total{method="GET",route="/work",status="200"} 1');
    expect(text).toMatch(/t_http_requests_total\{method="GET",route="[^"]*",status="404"\} 1/);
  });
});

describe('createErrorHandler', () => {
  it('sends refusals as they are, with the request id', async () => {
    const { app } = buildApp();
    const res = await app.request('/teapot');
    expect(res.status).toBe(409);
    const body = (await res.json()) as { code: string; requestId: string };
    expect(body).toEqual({
      msg: 'VM vm1 is stopping',
      code: 'conflict',
      requestId: res.headers.get('x-request-id'),
    });
  });

  it('never sends a 5xx internal message; logs it under the same request id', async () => {
    const { app, records } = buildApp();
    for (const [path, status, code] of [
      ['/broken', 500, 'internal'],
      ['/agent-down', 502, 'upstream_failed'],
    ] as const) {
      const res = await app.request(path);
      expect(res.status).toBe(status);
      const body = (await res.json()) as { code: string; requestId: string };
      expect(body.code).toBe(code);
      expect(JSON.stringify(body)).not.toMatch(/secret-path|10\.0\.0\.7|ECONNRESET/);
      const logged = records().find((l) => l.msg === 'request failed' && l.code === code);
      expect(logged?.request_id).toBe(body.requestId);
      expect(JSON.stringify(logged)).toMatch(/secret-path|ECONNRESET/);
    }
  });

  it('answers unknown routes with the not_found body', async () => {
    const { app } = buildApp();
    const res = await app.request('/nowhere');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: string }).code).toBe('not_found');
  });
});
