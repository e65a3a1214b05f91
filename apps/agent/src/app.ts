import { createErrorHandler, notFoundHandler, requestScope } from '@apiary/server-kit';
import { Hono } from 'hono';
import type { AgentDeps } from './deps.js';
import { toHostCommandApiError } from './host/host-command-error.js';
import type { AgentEnv } from './http/env.js';
import { createAgentBinder } from './http/route-binding.js';
import { mountApiDocumentRoutes } from './routes/api-document-routes.js';
import { mountHostNetworkRoutes } from './routes/host-network-routes.js';
import { mountHostRoutes } from './routes/host-routes.js';
import { mountImageRoutes } from './routes/image-routes.js';
import { mountKeyRoutes } from './routes/key-routes.js';
import { mountMigrationRoutes } from './routes/migration-routes.js';
import { mountNetworkRoutes } from './routes/network-routes.js';
import { mountStatsRoutes } from './routes/stats-routes.js';
import { mountStorageRoutes } from './routes/storage-routes.js';
import { mountVmChangeRoutes } from './routes/vm-change-routes.js';
import { mountVmRoutes } from './routes/vm-routes.js';

/** Builds the agent's HTTP app from its dependencies; no I/O at import time. */
export function createApp(deps: AgentDeps): Hono<AgentEnv> {
  const app = new Hono<AgentEnv>();
  app.use('*', ...requestScope({ log: deps.log, metrics: deps.metrics }));
  const bind = createAgentBinder(deps.db);
  mountHostRoutes(app, deps, bind);
  mountApiDocumentRoutes(app);
  mountVmRoutes(app, deps, bind);
  if (deps.changes) mountVmChangeRoutes(app, deps.changes, bind);
  if (deps.migrations) mountMigrationRoutes(app, deps.migrations, bind);
  mountImageRoutes(app, deps, bind);
  mountKeyRoutes(app, deps, bind);
  mountStatsRoutes(app, deps, bind);
  if (deps.hostAdmin) mountStorageRoutes(app, deps.hostAdmin, bind);
  if (deps.hostAdmin) mountHostNetworkRoutes(app, deps.hostAdmin, bind);
  if (deps.networks) mountNetworkRoutes(app, deps.networks, bind);
  app.notFound(notFoundHandler);
  app.onError(
    createErrorHandler({ log: deps.log, service: 'agent', classify: toHostCommandApiError }),
  );
  return app;
}
