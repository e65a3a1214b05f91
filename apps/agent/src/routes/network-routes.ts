import { agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';
import {
  deleteEnvOverlay,
  listEnvOverlays,
  putEnvOverlay,
} from '../network/env-overlay-service.js';
import {
  createNetwork,
  deleteNetwork,
  listNetworks,
  type NetworksContext,
} from '../network/network-service.js';

/** Networks VMs join (issue 14): nat (built in), bridged, private. */
export function mountNetworkRoutes(app: Hono<AgentEnv>, ctx: NetworksContext, bind: Bind) {
  bind(app, agentRoutes.listNetworks, () => ({ items: listNetworks(ctx) }));
  bind(app, agentRoutes.createNetwork, ({ body }) => createNetwork(ctx, body));
  bind(app, agentRoutes.deleteNetwork, async ({ params }) => {
    await deleteNetwork(ctx, params.name);
    return { ok: true as const };
  });
  // Environment overlays (issue 14), kept in step with the VMs by the controller.
  bind(app, agentRoutes.listEnvOverlays, () => ({ items: listEnvOverlays(ctx) }));
  bind(app, agentRoutes.putEnvOverlay, ({ params, body }) =>
    putEnvOverlay(ctx, params.env_id, body),
  );
  bind(app, agentRoutes.deleteEnvOverlay, async ({ params }) => {
    await deleteEnvOverlay(ctx, params.env_id);
    return { ok: true as const };
  });
}
