import { ApiError, type RouteDef, summarizeIssues, validationIssues } from '@apiary/protocol';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { Principal } from '../services/auth/principal.js';
import type { AppEnv } from './app-env.js';
import { bearerToken, requirePrincipal } from './auth.js';
import { readJsonBody } from './read-body.js';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerArgs<R extends RouteDef> {
  params: R extends { params: infer P } ? Out<P> : undefined;
  query: R extends { query: infer Q } ? Out<Q> : undefined;
  body: R extends { body: infer B }
    ? B extends z.ZodType
      ? z.output<B>
      : ReadableStream<Uint8Array> | null
    : undefined;
  /** The caller, for `user` routes. */
  principal: Principal;
  /** The bearer token as sent, for `host` routes (they check it themselves). */
  bearer: string | undefined;
  requestId: string;
  c: Context<AppEnv>;
}

type Body<R extends RouteDef> = R extends { response: infer S }
  ? S extends z.ZodType
    ? z.input<S>
    : never
  : never;
export type HandlerResult<R extends RouteDef> =
  | Body<R>
  | { status: number; body: Body<R> }
  | Response;

export interface BindOptions {
  /** Check every JSON response against the route's schema (tests turn this on). */
  validateResponses: boolean;
  principalOf: (c: Context<AppEnv>) => Principal | undefined;
}

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const { issues, omitted } = validationIssues(result.error, { at: where });
    throw new ApiError('validation', summarizeIssues(issues, { omitted }), {
      details: issues,
      omittedIssues: omitted,
    });
  }
  return result.data;
}

/**
 * Registers one protocol route: authentication first, then params, query and body validated
 * with the route's own schemas, then the handler; the success status is the route's.
 */
export function bindRoute<R extends RouteDef>(
  router: Hono<AppEnv>,
  route: R,
  options: BindOptions,
  handler: (args: HandlerArgs<R>) => Promise<HandlerResult<R>> | HandlerResult<R>,
) {
  const path = route.path.replace(/^\/v1(?=\/|$)/, '') || '/';
  router.on(route.method, path, async (c) => {
    // Authentication happens before the body is read.
    const principal =
      route.auth === 'user' ? requirePrincipal(c, options.principalOf) : (undefined as never);
    const params = route.params ? parse(route.params, c.req.param(), 'params') : undefined;
    const query = route.query ? parse(route.query, c.req.query(), 'query') : undefined;
    let body: unknown;
    if (route.body === 'stream') body = c.req.raw.body;
    else if (route.body)
      body = parse(route.body, await readJsonBody(c.req.raw, c.env?.incoming), 'body');
    const result = await handler({
      params,
      query,
      body,
      principal,
      bearer: bearerToken(c),
      requestId: c.get('requestId'),
      c,
    } as HandlerArgs<R>);
    if (result instanceof Response) return result;
    const explicit =
      typeof result === 'object' &&
      result !== null &&
      'status' in result &&
      'body' in result &&
      Object.keys(result).length === 2;
    const status = explicit ? (result as { status: number }).status : route.status;
    const payload = explicit ? (result as { body: unknown }).body : result;
    if (options.validateResponses && route.response && route.response !== 'stream') {
      const check = route.response.safeParse(payload);
      if (!check.success) {
        throw new Error(
          `response of ${route.method} ${route.path} breaks its schema: ${summarizeIssues(validationIssues(check.error).issues)}`,
        );
      }
    }
    return c.json(payload as object, status as 200);
  });
}
