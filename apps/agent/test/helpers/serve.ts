import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Agent } from '../../src/agent.js';
import { onCleanup } from './temp.js';

/** Serve an in-process agent on an ephemeral port (websockets need a real server). */
export async function serveAgent(agent: Agent): Promise<string> {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: agent.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  server.on('upgrade', agent.upgrade);
  // Not awaited: a websocket a test left open would hold up close() for good.
  onCleanup(() => {
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return `127.0.0.1:${port}`;
}
