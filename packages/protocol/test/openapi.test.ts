import { describe, expect, it } from 'vitest';
import { agentRoutes, buildOpenApiDocument, controllerRoutes } from '../src/index.js';

describe('buildOpenApiDocument', () => {
  const doc = buildOpenApiDocument(controllerRoutes, { title: 'Apiary', version: '1.0' }) as {
    openapi: string;
    paths: Record<string, Record<string, Record<string, unknown>>>;
  };

  it('describes every controller route with OpenAPI path syntax', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/envs/{id}']?.get?.operationId).toBe('getEnv');
    expect(doc.paths['/v1/hosts/{id}/drain-status']?.get).toBeDefined();
  });

  it('derives the request body schema from the zod schema, defaults included', () => {
    const body = doc.paths['/v1/envs']?.post?.requestBody as {
      content: {
        'application/json': { schema: { properties: Record<string, { default?: unknown }> } };
      };
    };
    expect(body.content['application/json'].schema.properties.lifetime?.default).toBe(21600);
  });

  it('marks public routes with an empty requirement, and names the API key scope of the others', () => {
    expect(doc.paths['/v1/health']?.get?.security).toEqual([]);
    expect(doc.paths['/v1/hosts']?.get?.security).toEqual([{ bearer: ['hosts:read'] }]);
    expect(doc.paths['/v1/auth/whoami']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('declares the 4xx answers a route can give from its auth and its input', () => {
    const statuses = (path: string, method: string) =>
      Object.keys((doc.paths[path]?.[method]?.responses as object) ?? {});
    // Public, no input: only the generic error.
    expect(statuses('/v1/health', 'get')).toEqual(['200', 'default']);
    // A credential, a path id, a JSON body.
    expect(statuses('/v1/hosts/{id}', 'patch')).toEqual([
      '200',
      '400',
      '401',
      '403',
      '404',
      '413',
      'default',
    ]);
  });

  it('moves the definitions of recursive schemas into components, references included', () => {
    const agentDoc = buildOpenApiDocument(agentRoutes, { title: 'agent', version: '1.0' });
    const text = JSON.stringify(agentDoc);
    expect(text).not.toContain('#/$defs/');
    const refs = [...text.matchAll(/"#\/components\/schemas\/([A-Za-z0-9]+)"/g)].map((m) => m[1]);
    const schemas = (agentDoc.components as { schemas: Record<string, unknown> }).schemas;
    expect(refs.length).toBeGreaterThan(0);
    for (const name of refs) expect(schemas).toHaveProperty(name as string);
  });

  it('documents the agent API as well', () => {
    const agentDoc = buildOpenApiDocument(agentRoutes, { title: 'agent', version: '1.0' }) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(agentDoc.paths)).toContain('/api/vms/{id}');
  });
});
