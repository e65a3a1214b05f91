import { ApiError, agentRoutes } from '@apiary/protocol';
import type { Hono } from 'hono';
import type { AgentDeps } from '../deps.js';
import type { AgentEnv } from '../http/env.js';
import type { Bind } from '../http/route-binding.js';

export function mountImageRoutes(app: Hono<AgentEnv>, deps: AgentDeps, bind: Bind): void {
  const { images } = deps;
  bind(app, agentRoutes.listImages, ({ query }) => {
    const { items, total } = images.list(query.limit, query.offset);
    return { items, total, limit: query.limit, offset: query.offset };
  });
  bind(app, agentRoutes.uploadImage, async ({ query, c }) => {
    const declared = Number(c.req.header('content-length') ?? '0');
    if (declared > deps.maxImageBytes) {
      throw new ApiError('payload_too_large', `images are limited to ${deps.maxImageBytes} bytes`);
    }
    const body = c.req.raw.body;
    if (!body) throw new ApiError('validation', 'the request body must be the image');
    return images.upload(body, query);
  });
  bind(app, agentRoutes.pullImage, ({ body }) => images.pull(body.digest, body.format, body.name));
  bind(app, agentRoutes.deleteImage, async ({ params }) => {
    await images.delete(params.digest);
    return { ok: true as const };
  });
}
