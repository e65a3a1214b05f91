import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { RouteDef } from '@apiary/protocol';
import { answerError, type ErrorHandlerOptions } from './error-handler.js';
import { readNodeJsonBody } from './read-body.js';
import { withLogBindings } from './request-context.js';
import {
  REQUEST_ID_HEADER,
  type RequestScopeOptions,
  requestIdFor,
  requestRecorder,
} from './request-scope.js';
import { DEFAULT_JSON_BODY_LIMIT } from './route-binder.js';
import { checkResponse, parseInput, routeBody } from './route-input.js';

/** What a fast route's authenticator sees: headers and path parameters, never the body. */
export interface FastRequest {
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
}

/**
 * One route served on Node's `request` event, before hono. The route is the same protocol
 * descriptor the binder serves (the fast lane answers for it where it is mounted, and the hono
 * binding stays for everything else, e.g. in-process tests): the same authentication before
 * the body, body limit, plain-body check or schema, status and error bodies.
 */
export interface FastRoute<P = unknown> {
  route: RouteDef;
  /** Where the route is mounted (`/v1/...` and its aliases), `:name` segments as in the route. */
  paths: string[];
  authenticate(request: FastRequest): P | Promise<P>;
  handle(args: { principal: P; params: unknown; body: unknown }): unknown | Promise<unknown>;
}

export interface FastLaneOptions extends RequestScopeOptions {
  // biome-ignore lint/suspicious/noExplicitAny: each route narrows its own principal
  routes: FastRoute<any>[];
  errors: ErrorHandlerOptions;
  /** Check every JSON response against its route's schema (tests turn this on). */
  validateResponses?: boolean;
}

/** Takes a request it serves (returns true) or leaves it to the next listener (false). */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

interface CompiledPath {
  method: string;
  pattern: string;
  names: string[];
  regex: RegExp;
  // biome-ignore lint/suspicious/noExplicitAny: see FastLaneOptions.routes
  route: FastRoute<any>;
}

function compile(route: FastRoute, pattern: string): CompiledPath {
  const names: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/?]+)';
    })
    .join('/');
  return {
    method: route.route.method,
    pattern,
    names,
    regex: new RegExp(`^${source}(?:\\?|$)`),
    route,
  };
}

/**
 * The bulk traffic's lane. Heartbeats are most of a controller's requests and are tiny, so the
 * HTTP framework's own cost (a WHATWG Request, a context, middleware promises, a Response) is
 * most of theirs: measured at 0.3–0.75 of a bare `node:http` server (docs/performance.md). The
 * lane keeps every guarantee of the binder and the request scope — request id, log bindings,
 * authentication from headers before any body byte is read, the body limit, the schema, the
 * error mapping, the access line and the metrics — by calling the same functions, and skips
 * only the framework.
 */
export function createFastLane(options: FastLaneOptions): FastLane {
  const paths = options.routes.flatMap((r) => r.paths.map((p) => compile(r, p)));
  const record = requestRecorder(options);
  return (req, res) => {
    const url = req.url ?? '';
    for (const path of paths) {
      if (req.method !== path.method) continue;
      const match = path.regex.exec(url);
      if (!match) continue;
      const params: Record<string, string> = {};
      path.names.forEach((name, i) => {
        params[name] = decodeSegment(match[i + 1] ?? '');
      });
      // serve() answers every error itself; only a socket gone mid-write can still throw.
      serve(options, record, path, params, req, res).catch(() => res.destroy());
      return true;
    }
    return false;
  };
}

async function serve(
  options: FastLaneOptions,
  record: ReturnType<typeof requestRecorder>,
  path: CompiledPath,
  rawParams: Record<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { route } = path.route;
  const id = requestIdFor(req.headers[REQUEST_ID_HEADER.toLowerCase()]);
  const started = performance.now();
  let bodyRead = false;
  const answer = await withLogBindings({ request_id: id }, async () => {
    try {
      // An answer already known (the common heartbeat) is used as is: with the log bindings'
      // async hooks on, every promise made per request shows in the lane's cost.
      const authenticated = path.route.authenticate({ headers: req.headers, params: rawParams });
      const principal = isPromise(authenticated) ? await authenticated : authenticated;
      const params = route.params ? parseInput(route.params, rawParams, 'params') : rawParams;
      let body: unknown;
      if (route.body && route.body !== 'stream') {
        const json = await readNodeJsonBody(req, route.bodyLimit ?? DEFAULT_JSON_BODY_LIMIT);
        bodyRead = true;
        body = routeBody(route, json);
      }
      const payload = await path.route.handle({ principal, params, body });
      if (options.validateResponses) checkResponse(route, payload);
      return { status: route.status, body: payload, headers: {} as Record<string, string> };
    } catch (error) {
      return answerError(error, id, options.errors);
    }
  });
  const text = JSON.stringify(answer.body);
  const headers: Record<string, string | number> = {
    ...answer.headers,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    [REQUEST_ID_HEADER]: id,
  };
  // A request refused before its body was read still has that body on the socket: the
  // connection is closed rather than read through, so a stranger cannot make us read it.
  if (!bodyRead && !req.complete) headers.Connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(text);
  record({
    id,
    method: route.method,
    route: path.pattern,
    path: url(req),
    status: answer.status,
    seconds: (performance.now() - started) / 1000,
  });
}

function url(req: IncomingMessage): string {
  const raw = req.url ?? '';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** A path segment decoded; a malformed escape stays as sent (the params schema judges it). */
function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
