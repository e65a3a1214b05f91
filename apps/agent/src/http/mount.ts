import { ApiError, type RouteDef, summarizeIssues, validationIssues } from '@apiary/protocol';
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import type { Db } from '../db/open.js';
import { requireRole } from './auth.js';
import type { AgentEnv } from './env.js';

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface Parsed<R extends RouteDef> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  body: R['body'] extends z.ZodType ? z.output<R['body']> : undefined;
  c: Context<AgentEnv>;
}

type Result<R extends RouteDef> = R['response'] extends z.ZodType
  ? z.input<R['response']> | Response
  : Response;

/** JSON bodies are small: anything larger is refused before it is parsed. */
const JSON_BODY_LIMIT = 64 * 1024;

function parse<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const { issues, omitted } = validationIssues(parsed.error, { at: where });
    throw new ApiError('validation', summarizeIssues(issues, { omitted }), {
      details: issues,
      omittedIssues: omitted,
    });
  }
  return parsed.data;
}

/**
 * Mount one route description: auth (before the body is touched), a body size limit, zod
 * validation of params, query and body, then the handler; the response gets the route's status.
 */
export function mountRoute<R extends RouteDef>(
  app: Hono<AgentEnv>,
  db: Db,
  route: R,
  handler: (input: Parsed<R>) => Promise<Result<R>> | Result<R>,
): void {
  const middleware = [];
  if (route.auth === 'agent_key') middleware.push(requireRole(db, route.role ?? 'admin'));
  if (route.body && route.body !== 'stream') {
    middleware.push(
      bodyLimit({
        maxSize: JSON_BODY_LIMIT,
        onError: () => {
          throw new ApiError(
            'payload_too_large',
            `JSON bodies are limited to ${JSON_BODY_LIMIT} bytes`,
          );
        },
      }),
    );
  }
  app.on(route.method, [route.path], ...middleware, async (c) => {
    const params = route.params ? parse(route.params, c.req.param(), 'params') : undefined;
    const query = route.query ? parse(route.query, c.req.query(), 'query') : undefined;
    let body: unknown;
    if (route.body && route.body !== 'stream') {
      let json: unknown;
      try {
        const text = await c.req.text();
        json = text === '' ? {} : JSON.parse(text);
      } catch {
        throw new ApiError('validation', 'body is not valid JSON');
      }
      body = parse(route.body, json, 'body');
    }
    const result = await handler({ params, query, body, c } as Parsed<R>);
    if (result instanceof Response) return result;
    return c.json(result as object, route.status as 200);
  });
}
