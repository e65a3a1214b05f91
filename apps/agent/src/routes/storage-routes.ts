import { agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';
import {
  createApiDataset,
  deleteApiDataset,
  listDatasets,
  updateApiDataset,
} from '../storage/dataset-service.js';
import { listPools } from '../storage/pool-service.js';
import type { StorageContext } from '../storage/storage-context.js';
import { addSwap, listSwapDevices, removeSwap } from '../storage/swap-service.js';

/** The host's storage (issue 14): pools, datasets, swap; admin keys only (see the descriptors). */
export function mountStorageRoutes(app: Hono<AgentEnv>, ctx: StorageContext, bind: Bind) {
  bind(app, agentRoutes.listPools, async () => ({ items: await listPools(ctx.exec) }));
  bind(app, agentRoutes.listDatasets, async ({ query }) => ({
    items: await listDatasets(ctx, query),
  }));
  bind(app, agentRoutes.createDataset, ({ body }) => createApiDataset(ctx, body));
  bind(app, agentRoutes.updateDataset, ({ params, body }) =>
    updateApiDataset(ctx, params.name, body),
  );
  bind(app, agentRoutes.deleteDataset, async ({ params, query }) => {
    await deleteApiDataset(ctx, params.name, query.recursive);
    return { ok: true as const };
  });
  bind(app, agentRoutes.listSwap, async () => ({ items: await listSwapDevices(ctx) }));
  bind(app, agentRoutes.addSwap, ({ body }) => addSwap(ctx, body));
  bind(app, agentRoutes.removeSwap, async ({ params, query }) => {
    await removeSwap(ctx, params.name, query.destroy);
    return { ok: true as const };
  });
}
