import type { RouteAuth, RouteDef } from '@apiary/protocol';
import type { Context, Env, Hono } from 'hono';
import type { z } from 'zod';
import { readJsonBody } from './read-body.js';
import { checkResponse, parseInput, routeBody } from './route-input.js';

/**
 * Checks the credential of a request for one auth level and returns the caller, or throws
 * `unauthenticated` / `forbidden`. It sees headers only: the body is not read yet.
 */
export type Authenticator<E extends Env, P> = (c: Context<E>, route: RouteDef) => P | Promise<P>;

// biome-ignore lint/suspicious/noExplicitAny: any daemon's env; each binder narrows it below
type AnyAuthenticator = (c: Context<any>, route: RouteDef) => unknown;

/** One authenticator per auth level a daemon serves; `public` needs none. */
export type Authenticators = Partial<Record<Exclude<RouteAuth, 'public'>, AnyAuthenticator>>;

/** The hono env the authenticators were written for. */
type EnvOf<A> = {
  [K in keyof A]: A[K] extends (c: Context<infer E>, route: RouteDef) => unknown ? E : never;
}[keyof A];

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

type PrincipalOf<A, R extends RouteDef> = R['auth'] extends keyof A
  ? A[R['auth']] extends (...args: never[]) => infer P
    ? Awaited<P>
    : never
  : undefined;

export interface HandlerArgs<E extends Env, A, R extends RouteDef> {
  params: R extends { params: infer P } ? Out<P> : undefined;
  query: R extends { query: infer Q } ? Out<Q> : undefined;
  body: R extends { body: infer B }
    ? B extends z.ZodType
      ? z.output<B>
      : ReadableStream<Uint8Array> | null
    : undefined;
  /** The caller, as the route's auth level's authenticator returned it. */
  principal: PrincipalOf<A, R>;
  c: Context<E>;
}

type Payload<R extends RouteDef> = R extends { response: infer S }
  ? S extends z.ZodType
    ? z.input<S>
    : never
  : never;

/** A handler returns the payload (sent with the route's status), a status and payload, or a Response. */
export type HandlerResult<R extends RouteDef> =
  | Payload<R>
  | { status: number; body: Payload<R> }
  | Response;

export interface RouteBinderOptions<A extends Authenticators> {
  authenticate: A;
  /** Check every JSON response against its route's schema (tests turn this on). */
  validateResponses?: boolean;
  /** Where a route is mounted, from its path (the controller serves `/v1` routes twice). */
  mountPath?: (path: string) => string;
}

/** JSON bodies are small: a route that takes more says so with `bodyLimit`. */
export const DEFAULT_JSON_BODY_LIMIT = 64 * 1024;

/** A handler's `{ status, body }` answer (rather than a bare payload). */
export function isExplicitResult(result: unknown): result is { status: number; body: unknown } {
  return (
    typeof result === 'object' &&
    result !== null &&
    'status' in result &&
    'body' in result &&
    Object.keys(result).length === 2
  );
}

/**
 * Returns `bind(router, route, handler)`, which registers one protocol route in this order:
 * the route's auth level is enforced (before anything of the body is read), then params, query
 * and body (at most `route.bodyLimit` bytes) are validated with the route's schemas, then the
 * handler runs and its payload goes out with the route's status. Binding a route whose auth
 * level has no authenticator throws at start-up: no route can be served unauthenticated by
 * omission.
 */
export function createRouteBinder<
  A extends Authenticators,
  E extends Env = [EnvOf<A>] extends [never] ? Env : EnvOf<A>,
>(options: RouteBinderOptions<A>) {
  const mountPath = options.mountPath ?? ((p: string) => p);
  return function bind<R extends RouteDef>(
    router: Hono<E>,
    route: R,
    handler: (args: HandlerArgs<E, A, R>) => Promise<HandlerResult<R>> | HandlerResult<R>,
  ): void {
    const authenticate =
      route.auth === 'public'
        ? undefined
        : (options.authenticate[route.auth] as AnyAuthenticator | undefined);
    if (route.auth !== 'public' && !authenticate) {
      throw new Error(
        `${route.method} ${route.path}: no authenticator for auth level ${route.auth}`,
      );
    }
    const limit = route.bodyLimit ?? DEFAULT_JSON_BODY_LIMIT;
    router.on(route.method, mountPath(route.path), async (c) => {
      const principal = authenticate ? await authenticate(c, route) : undefined;
      const params = route.params ? parseInput(route.params, c.req.param(), 'params') : undefined;
      const query = route.query ? parseInput(route.query, c.req.query(), 'query') : undefined;
      let body: unknown;
      if (route.body === 'stream') body = c.req.raw.body;
      else if (route.body) {
        const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
        const json = await readJsonBody(c.req.raw, incoming, limit);
        // The route's bulk traffic, proven plain by a cheap check, needs no schema walk.
        body = routeBody(route, json);
      }
      const args = { params, query, body, principal, c } as HandlerArgs<E, A, R>;
      const result = await handler(args);
      if (result instanceof Response) return result;
      const status = isExplicitResult(result) ? result.status : route.status;
      const payload = isExplicitResult(result) ? result.body : result;
      if (options.validateResponses) checkResponse(route, payload);
      return c.json(payload as object, status as 200);
    });
  };
}
