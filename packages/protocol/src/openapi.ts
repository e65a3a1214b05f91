import { z } from 'zod';
import type { RouteDef } from './routes/define-route.js';
import { ErrorBody } from './schemas/errors.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type JsonObject = Record<string, unknown>;

/** Paths a daemon serves outside its route descriptions (metrics, websockets), in OpenAPI form. */
export type OpenApiPaths = Record<string, Record<string, JsonObject>>;

export interface OpenApiOptions {
  /** Where the API is served; relative URLs resolve against the document's own address. */
  servers?: Array<{ url: string; description?: string }>;
  /** Routes served by hand (metrics, websocket upgrades), added as they are. */
  extraPaths?: OpenApiPaths;
}

/** Apiary's license, as every package declares it. */
const LICENSE = { name: 'MPL-2.0', identifier: 'MPL-2.0' };

/**
 * A zod schema as JSON Schema. A recursive schema (a pool's vdev tree) comes with `$defs` that
 * its `$ref`s point into from the schema's own root; embedded in a document, that root is gone,
 * so the definitions move to `components.schemas` (under names unique to this schema) and the
 * references follow them.
 */
function jsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  components?: Record<string, JsonObject>,
): JsonObject {
  const {
    $schema: _ignored,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
  }) as JsonObject & { $defs?: Record<string, JsonObject> };
  if (!$defs || !components) return rest;
  const base = Object.keys(components).length;
  const renamed = new Map<string, string>(
    Object.keys($defs).map((name, i) => [`#/$defs/${name}`, `Def${base + i}`] as const),
  );
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => {
        const target = key === '$ref' && typeof inner === 'string' ? renamed.get(inner) : undefined;
        return [key, target ? `#/components/schemas/${target}` : rewrite(inner)];
      }),
    );
  };
  for (const [name, definition] of Object.entries($defs)) {
    components[renamed.get(`#/$defs/${name}`) as string] = rewrite(definition) as JsonObject;
  }
  return rewrite(rest) as JsonObject;
}

function parameters(
  schema: z.ZodType | undefined,
  location: 'path' | 'query',
  components: Record<string, JsonObject>,
): JsonObject[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const object = jsonSchema(schema, 'input', components) as {
    properties?: Record<string, JsonObject>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

/** The error answers every route shares, by status; each names the `ErrorBody` codes behind it. */
const ERROR_RESPONSES = {
  '400': 'Invalid path, query or body (`validation`): the message names each field',
  '401': 'No credential, or one that is unknown, expired or revoked (`unauthenticated`)',
  '403': 'The credential lacks the scope or role this route needs (`forbidden`)',
  '404': 'Nothing by that id in the caller’s view (`not_found`)',
  '413': 'The body is larger than this route accepts (`payload_too_large`)',
} as const;

type ErrorStatus = keyof typeof ERROR_RESPONSES;

/**
 * The 4xx answers a route can give from what it declares: validation when it takes input, 401
 * and 403 when it needs a credential, 404 when it names something in its path, 413 when it
 * takes a body. Conflicts and the like depend on state and travel under `default`.
 */
function errorStatuses(route: RouteDef): ErrorStatus[] {
  const statuses: ErrorStatus[] = [];
  if (route.params || route.query || route.body) statuses.push('400');
  if (route.auth !== 'public') statuses.push('401', '403');
  if (/:[A-Za-z_]+/.test(route.path)) statuses.push('404');
  if (route.body) statuses.push('413');
  return statuses;
}

function operationOf(
  operationId: string,
  route: RouteDef,
  components: Record<string, JsonObject>,
): JsonObject {
  const responses: JsonObject = {
    [route.status]: {
      description: route.summary,
      content:
        route.response === 'stream'
          ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
          : route.response
            ? { 'application/json': { schema: jsonSchema(route.response, 'output', components) } }
            : undefined,
    },
  };
  for (const status of errorStatuses(route)) {
    responses[status] = { $ref: `#/components/responses/Error${status}` };
  }
  responses.default = { $ref: '#/components/responses/Error' };
  const operation: JsonObject = {
    operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: [
      ...parameters(route.params, 'path', components),
      ...parameters(route.query, 'query', components),
    ],
    responses,
    // OpenAPI 3.1 lets a bearer requirement list roles: the scope an API key needs here. A
    // public route says so with an empty requirement.
    security:
      route.auth === 'public'
        ? []
        : [{ bearer: route.scope ? [route.scope] : route.role ? [route.role] : [] }],
  };
  if (route.body === 'stream') {
    operation.requestBody = {
      required: true,
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    };
  } else if (route.body) {
    operation.requestBody = {
      required: true,
      content: { 'application/json': { schema: jsonSchema(route.body, 'input', components) } },
    };
  }
  return operation;
}

function errorComponents(): JsonObject {
  const content = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
  const responses: JsonObject = {
    Error: { description: 'Any other failure (`conflict`, `unavailable`, ...)', content },
  };
  for (const [status, description] of Object.entries(ERROR_RESPONSES)) {
    responses[`Error${status}`] = { description, content };
  }
  return responses;
}

/**
 * An OpenAPI 3.1 document generated from route descriptions, so the published contract is the
 * code's contract: the same zod schemas validate requests and describe them.
 */
export function buildOpenApiDocument(
  routes: Record<string, RouteDef>,
  info: OpenApiInfo,
  options: OpenApiOptions = {},
): JsonObject {
  const paths: OpenApiPaths = {};
  const tags = new Set<string>();
  const schemas: Record<string, JsonObject> = { Error: jsonSchema(ErrorBody, 'output') };
  for (const [operationId, route] of Object.entries(routes)) {
    const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operationOf(operationId, route, schemas);
    tags.add(route.tag);
  }
  for (const [path, methods] of Object.entries(options.extraPaths ?? {})) {
    paths[path] = { ...paths[path], ...methods };
    for (const op of Object.values(methods))
      for (const tag of (op.tags as string[]) ?? []) tags.add(tag);
  }
  return {
    openapi: '3.1.0',
    info: { ...info, license: LICENSE },
    servers: options.servers ?? [{ url: '/', description: 'this daemon' }],
    tags: [...tags].sort().map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name })),
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'Every credential travels as `Authorization: Bearer ...`: a session token or API key (controller), an agent API key `wh_...`, a host credential, a license key or a transfer token, as each route says.',
        },
      },
      schemas,
      responses: errorComponents(),
    },
  };
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Sessions and who is calling',
  tenancy: 'Organizations, users, API keys and license keys',
  envs: 'Environments: groups of VMs created, stopped and deleted together',
  vms: 'Virtual machines: state, changes, snapshots, consoles',
  host: 'This host: identity, capacity, what it runs',
  hosts: 'Hosts: registration, liveness, draining, credentials',
  images: 'Disk and ISO images, content-addressed',
  system: 'Service information, health, metrics',
  internal: 'Agent to controller: registration, heartbeats, image downloads',
  storage: 'The host’s ZFS pools and datasets',
  network: 'The host’s links, addresses and VM networks',
  migrations: 'Moving VMs between hosts',
  stats: 'Usage now and over time',
};

/** `/metrics` in an OpenAPI document: the Prometheus text exposition. */
export function metricsPath(tag = 'system'): OpenApiPaths {
  return {
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics (text exposition format 0.0.4)',
        tags: [tag],
        security: [],
        responses: {
          '200': {
            description: 'The metrics',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
  };
}

/**
 * A websocket upgrade in an OpenAPI document: OpenAPI has no websocket operations, so it is the
 * `GET` that upgrades, answered `101 Switching Protocols`.
 */
export function websocketPath(
  operationId: string,
  summary: string,
  parameters: JsonObject[],
  security: JsonObject[],
  tag = 'vms',
): JsonObject {
  return {
    operationId,
    summary,
    description:
      'A websocket (RFC 6455): send `Connection: Upgrade` and `Upgrade: websocket`; raw bytes both ways once upgraded.',
    tags: [tag],
    parameters,
    security,
    responses: {
      '101': { description: 'Switching Protocols: the websocket is open' },
      '400': { $ref: '#/components/responses/Error400' },
      '401': { $ref: '#/components/responses/Error401' },
      default: { $ref: '#/components/responses/Error' },
    },
  };
}
