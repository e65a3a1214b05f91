import type { RouteDef, RouteInput, RouteOutput } from '../routes/define-route.js';
import type { CallOptions, HttpClient } from './http-client.js';

type Method<R extends RouteDef> =
  object extends RouteInput<R>
    ? (input?: RouteInput<R>, options?: CallOptions) => Promise<RouteOutput<R>>
    : (input: RouteInput<R>, options?: CallOptions) => Promise<RouteOutput<R>>;

/** One typed method per route: `client.getEnv({ params: { id } })`. */
export type BoundRoutes<T extends Record<string, RouteDef>> = { [K in keyof T]: Method<T[K]> };

export function bindRoutes<T extends Record<string, RouteDef>>(
  http: HttpClient,
  routes: T,
): BoundRoutes<T> {
  const bound: Record<string, unknown> = {};
  for (const [name, route] of Object.entries(routes)) {
    bound[name] = (
      input: RouteInput<RouteDef> = {} as RouteInput<RouteDef>,
      options?: CallOptions,
    ) => http.call(route, input, options);
  }
  return bound as BoundRoutes<T>;
}
