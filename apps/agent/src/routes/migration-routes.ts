import { agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';
import type { Migrations } from '../migrations/migrations.js';

/** Moving VMs between hosts (issue 15): imports on the target, exports and release on the source. */
export function mountMigrationRoutes(app: Hono<AgentEnv>, m: Migrations, bind: Bind) {
  bind(app, agentRoutes.migrationSpec, ({ params }) => m.exports.spec(params.id));
  bind(app, agentRoutes.openImport, async ({ body, c }) => ({
    status: 201,
    body: await m.imports.open(body, c.req.url),
  }));
  bind(app, agentRoutes.getImport, ({ params }) => m.imports.get(params.id));
  bind(app, agentRoutes.uploadVolume, ({ params, query, body }) =>
    m.imports.upload(params.id, params.name, query, body),
  );
  bind(app, agentRoutes.commitImport, ({ params, body }) =>
    m.imports.commit(params.id, body.start),
  );
  bind(app, agentRoutes.abortImport, ({ params }) => m.imports.abort(params.id));
  bind(app, agentRoutes.startExport, ({ body }) => m.exports.start(body));
  bind(app, agentRoutes.exportsOfOperation, ({ query }) =>
    m.exports.ofOperation(query.operation_id),
  );
  bind(app, agentRoutes.getExport, ({ params }) => m.exports.get(params.id));
  bind(app, agentRoutes.deleteExport, ({ params }) => m.exports.remove(params.id));
  bind(app, agentRoutes.releaseVm, ({ params }) => m.exports.release(params.id));
}
