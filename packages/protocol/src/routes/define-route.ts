import type { z } from 'zod';
import type { Scope } from '../schemas/scopes.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Who may call a route.
 * - `public`: anyone.
 * - `user`: a controller user (session token or API key), scoped by organization.
 * - `host`: an agent, with the per-host credential it got when it registered.
 * - `license`: an agent registering, with its organization's license key.
 * - `agent_key`: an agent API key (`wh_...`), with at least `role`.
 * - `transfer`: the one-time transfer token of the migration import named in the path (or an
 *   agent key of role operator): what a source agent streams a VM's disks with.
 * Every credential travels in the `Authorization: Bearer` header, so it is checked before any
 * of the body is read.
 */
export type RouteAuth = 'public' | 'user' | 'host' | 'license' | 'agent_key' | 'transfer';

/** A body or response that is a byte stream rather than JSON (image upload/download). */
export type Stream = 'stream';

/**
 * One HTTP route, described once and shared by the server (validation), the typed client
 * (request building, response parsing) and the OpenAPI document.
 */
export interface RouteDef {
  method: HttpMethod;
  /** Hono-style path: `/v1/envs/:id`. */
  path: string;
  summary: string;
  tag: string;
  auth: RouteAuth;
  /** Minimum role for `agent_key` routes. */
  role?: 'viewer' | 'operator' | 'admin';
  /**
   * The API key scope a `user` route needs (see `SCOPES`), checked with the credential before
   * the body is read. Omitted only on routes about the caller itself (whoami, logout).
   */
  scope?: Scope;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType | Stream;
  response?: z.ZodType | Stream;
  /** Largest JSON body accepted, in bytes (default 64 KiB); larger is refused unread with 413. */
  bodyLimit?: number;
  /**
   * A cheap shape check for the body of a route's bulk traffic (a heartbeat with nothing new).
   * When it holds, `body` would accept the value unchanged, so the server skips the schema
   * walk; when it does not, the full schema decides. A test holds every one to its schema.
   */
  plainBody?: (value: unknown) => boolean;
  /** Success status. */
  status: number;
}

export function defineRoute<const R extends RouteDef>(route: R): R {
  return route;
}

type ParamsInput<R> = R extends { params: infer P extends z.ZodType }
  ? { params: z.input<P> }
  : { params?: undefined };
type QueryInput<R> = R extends { query: infer Q extends z.ZodType }
  ? { query?: z.input<Q> }
  : { query?: undefined };
type BodyInput<R> = R extends { body: infer B }
  ? B extends z.ZodType
    ? { body: z.input<B> }
    : { body: StreamBody; contentLength?: number; contentType?: string }
  : { body?: undefined };

/** What a client passes to call a route. */
export type RouteInput<R extends RouteDef> = ParamsInput<R> & QueryInput<R> & BodyInput<R>;

/** What a client gets back from a route. Streams come back as the raw `Response`. */
export type RouteOutput<R extends RouteDef> = R extends { response: infer S }
  ? S extends z.ZodType
    ? z.output<S>
    : Response
  : undefined;

/** Bodies a streamed upload accepts (what `fetch` accepts). */
export type StreamBody = NonNullable<RequestInit['body']>;

/** Replace `:name` segments with encoded values. */
export function buildPath(path: string, params: Record<string, unknown> | undefined): string {
  return path.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === '') {
      throw new TypeError(`missing path parameter ${name} for ${path}`);
    }
    return encodeURIComponent(String(value));
  });
}
