import { ApiError } from '@apiary/protocol';
import { Hono } from 'hono';
import { CONTROLLER_VERSION } from './version.js';

/** Builds the HTTP app from its dependencies; no I/O happens at import time. */
export function createApp() {
  const app = new Hono();
  app.get('/', (c) => c.json({ service: 'apiary-controller', version: CONTROLLER_VERSION }));
  app.get('/v1/health', (c) => c.json({ status: 'healthy' }));
  app.notFound((c) =>
    c.json(
      new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`).toBody('req_none'),
      404,
    ),
  );
  return app;
}
