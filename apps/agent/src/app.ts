import { ApiError } from '@apiary/protocol';
import { Hono } from 'hono';
import type { AgentDeps } from './deps.js';
import type { AgentEnv } from './http/env.js';
import { handleError } from './http/errors.js';
import { requestContext } from './http/request-context.js';
import { mountHostRoutes } from './routes/host-routes.js';
import { mountImageRoutes } from './routes/image-routes.js';
import { mountKeyRoutes } from './routes/key-routes.js';
import { mountVmRoutes } from './routes/vm-routes.js';

/** Builds the agent's HTTP app from its dependencies; no I/O at import time. */
export function createApp(deps: AgentDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  app.use('*', requestContext(deps.log, deps.metrics));
  mountHostRoutes(app, deps);
  mountVmRoutes(app, deps);
  mountImageRoutes(app, deps);
  mountKeyRoutes(app, deps);
  app.notFound((c) =>
    c.json(
      new ApiError('not_found', 'no such route').toBody(c.get('requestId') ?? 'req_unknown'),
      404,
    ),
  );
  app.onError(handleError(deps.log));
  return app;
}
