import { agentRoutes } from '../routes/agent-routes.js';
import { type BoundRoutes, bindRoutes } from './bind-routes.js';
import { type ClientOptions, HttpClient } from './http-client.js';

export type AgentClient = BoundRoutes<typeof agentRoutes> & { http: HttpClient };

/**
 * Typed client for a host agent's API.
 *
 * @example
 * const agent = createAgentClient({ baseUrl: 'http://10.0.0.2:9100', token: 'wh_...' });
 * const { operation } = await agent.createVm({ body: { id: 'my-env-0', env_id: 'my-env', image } });
 */
export function createAgentClient(options: ClientOptions): AgentClient {
  const http = new HttpClient(options);
  return Object.assign(bindRoutes(http, agentRoutes), { http });
}
