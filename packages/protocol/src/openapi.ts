import { z } from 'zod';
import type { RouteDef } from './routes/define-route.js';
import { ErrorBody } from './schemas/errors.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

type JsonObject = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  return rest as JsonObject;
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonObject[] {
  if (!(schema instanceof z.ZodObject)) return [];
  const object = jsonSchema(schema, 'input') as {
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

/**
 * An OpenAPI 3.1 document generated from route descriptions, so the published contract is the
 * code's contract: the same zod schemas validate requests and describe them.
 */
export function buildOpenApiDocument(
  routes: Record<string, RouteDef>,
  info: OpenApiInfo,
): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const [operationId, route] of Object.entries(routes)) {
    const path = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const operation: JsonObject = {
      operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        [route.status]: {
          description: route.summary,
          content:
            route.response === 'stream'
              ? { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }
              : route.response
                ? { 'application/json': { schema: jsonSchema(route.response, 'output') } }
                : undefined,
        },
        default: {
          description: 'Error',
          content: { 'application/json': { schema: jsonSchema(ErrorBody, 'output') } },
        },
      },
    };
    // OpenAPI 3.1 lets a bearer requirement list roles: the scope an API key needs here.
    if (route.auth !== 'public')
      operation.security = [{ bearer: route.scope ? [route.scope] : [] }];
    if (route.body === 'stream') {
      operation.requestBody = {
        required: true,
        content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
      };
    } else if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
      };
    }
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
