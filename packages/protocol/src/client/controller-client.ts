import { controllerRoutes } from '../routes/controller-routes.js';
import { type BoundRoutes, bindRoutes } from './bind-routes.js';
import { type ClientOptions, HttpClient } from './http-client.js';

export type ControllerClient = BoundRoutes<typeof controllerRoutes> & { http: HttpClient };

/**
 * Typed client for the controller API.
 *
 * @example
 * const api = createControllerClient({ baseUrl: 'http://127.0.0.1:9200', token: apiKey });
 * const env = await api.createEnv({ body: { id: 'my-env', ssh_keys: [key], vms: [{ image: 'alpine-cloud' }] } });
 */
export function createControllerClient(options: ClientOptions): ControllerClient {
  const http = new HttpClient(options);
  return Object.assign(bindRoutes(http, controllerRoutes), { http });
}
