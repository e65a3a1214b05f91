import { buildOpenApiDocument, metricsPath, websocketPath } from './openapi.js';
import { agentRoutes } from './routes/agent-routes.js';
import { controllerRoutes } from './routes/controller-routes.js';

/*
 * The two daemons' published documents: their route descriptions plus what each serves by hand
 * (metrics, console websockets), so a client generated from either document sees all of it.
 */

const vmIdParameter = {
  name: 'id',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'The VM’s id',
};

export function controllerOpenApiDocument(version: string): Record<string, unknown> {
  const ticket = {
    name: 'ticket',
    in: 'query',
    required: true,
    schema: { type: 'string' },
    description: 'The single-use ticket from `POST /v1/vms/{id}/console`',
  };
  const consoleSocket = websocketPath(
    'consoleSocket',
    'The console websocket a ticket opens (serial or VNC, as the ticket says)',
    [ticket],
    // The ticket is the credential: nothing in the Authorization header.
    [],
  );
  return buildOpenApiDocument(
    controllerRoutes,
    {
      title: 'Apiary controller API',
      version,
      description: 'Every /v1 path also answers under /api (seed-003 compatibility).',
    },
    { extraPaths: { ...metricsPath(), '/v1/console': { get: consoleSocket } } },
  );
}

export function agentOpenApiDocument(version: string): Record<string, unknown> {
  const operator = [{ bearer: ['operator'] }];
  return buildOpenApiDocument(
    agentRoutes,
    {
      title: 'Apiary agent API',
      version,
      description:
        'The host agent: what one OmniOS host runs. The controller drives it; operators may call it directly with an agent API key (`wh_...`).',
    },
    {
      extraPaths: {
        ...metricsPath(),
        '/api/vms/{id}/console': {
          get: websocketPath(
            'serialConsoleSocket',
            'The VM’s serial console (`zlogin -C`), one client at a time',
            [vmIdParameter],
            operator,
          ),
        },
        '/api/vms/{id}/vnc': {
          get: websocketPath(
            'vncConsoleSocket',
            'The VM’s framebuffer (RFB) bridged from its VNC socket',
            [vmIdParameter],
            operator,
          ),
        },
      },
    },
  );
}
