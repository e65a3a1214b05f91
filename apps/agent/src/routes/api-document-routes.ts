import { agentOpenApiDocument } from '@apiary/protocol';
import { renderDocsPage } from '@apiary/server-kit';
import type { Hono } from 'hono';
import type { AgentEnv } from '../http/env.js';
import { AGENT_VERSION } from '../version.js';

const DOCUMENT_PATH = '/api/openapi.json';

/**
 * The agent's API described: the OpenAPI document and a reference page, public like the
 * controller's (a description of the API gives away nothing a caller could not try).
 */
export function mountApiDocumentRoutes(app: Hono<AgentEnv>): void {
  let cached: Record<string, unknown> | undefined;
  const document = () => {
    cached ??= agentOpenApiDocument(AGENT_VERSION);
    return cached;
  };
  app.get(DOCUMENT_PATH, (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderDocsPage(document(), DOCUMENT_PATH)));
}
