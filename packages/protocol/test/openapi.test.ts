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

  it('marks public routes without security, and names the API key scope of the others', () => {
    expect(doc.paths['/v1/health']?.get?.security).toBeUndefined();
    expect(doc.paths['/v1/hosts']?.get?.security).toEqual([{ bearer: ['hosts:read'] }]);
    expect(doc.paths['/v1/auth/whoami']?.get?.security).toEqual([{ bearer: [] }]);
  });

  it('documents the agent API as well', () => {
    const agentDoc = buildOpenApiDocument(agentRoutes, { title: 'agent', version: '1.0' }) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(agentDoc.paths)).toContain('/api/vms/{id}');
  });
});
