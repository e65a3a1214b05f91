import { agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';
import {
  getForwarding,
  getNatTable,
  listHostAddresses,
  setForwarding,
} from '../network/host-ip-service.js';
import {
  createHostLink,
  deleteHostLink,
  type LinksContext,
  listHostLinks,
} from '../network/host-links-service.js';

/** The host's links, addresses, forwarding and NAT (issue 14); admin keys only. */
export function mountHostNetworkRoutes(app: Hono<AgentEnv>, ctx: LinksContext, bind: Bind) {
  bind(app, agentRoutes.listLinks, async () => ({ items: await listHostLinks(ctx) }));
  bind(app, agentRoutes.createLink, ({ body }) => createHostLink(ctx, body));
  bind(app, agentRoutes.deleteLink, async ({ params }) => {
    await deleteHostLink(ctx, params.name);
    return { ok: true as const };
  });
  bind(app, agentRoutes.listAddresses, async () => ({ items: await listHostAddresses(ctx) }));
  bind(app, agentRoutes.getForwarding, () => getForwarding(ctx));
  bind(app, agentRoutes.setForwarding, ({ body }) => setForwarding(ctx, body));
  bind(app, agentRoutes.getNat, () => getNatTable(ctx));
}
