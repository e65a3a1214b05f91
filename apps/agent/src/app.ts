import { API_VERSION } from '@apiary/protocol';
import { Hono } from 'hono';
import { AGENT_VERSION } from './version.js';

/** Builds the agent's HTTP app from its dependencies; no I/O at import time. */
export function createApp(deps: { hostId: string; hostname: string }) {
  const app = new Hono();
  app.get('/api/health', (c) => c.json({ status: 'healthy' }));
  app.get('/api/info', (c) =>
    c.json({
      host_id: deps.hostId,
      hostname: deps.hostname,
      agent_version: AGENT_VERSION,
      api_version: API_VERSION,
      engines: ['bhyve'],
      storage: 'zvol',
      resources: { total: { cpu: 0, mem: 0, disk: 0 }, used: { cpu: 0, mem: 0, disk: 0 } },
      images: [],
      vm_count: 0,
      controller: null,
    }),
  );
  return app;
}
