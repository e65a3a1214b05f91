import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentApiKey, CreatedAgentApiKey, ErrorBody } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { ensureClaimToken } from '../src/auth/claim-token.js';
import { noHostAgent } from './helpers/no-host-agent.js';

const { agent, config, key } = noHostAgent();
const admin = key('admin');
const operator = key('operator');
const viewer = key('viewer');

const call = (
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) =>
  agent.app.request(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });

describe('authentication', () => {
  it('serves health without a key', async () => {
    const res = await call('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'healthy' });
  });

  it('returns 401 without a key, with the error body shape', async () => {
    const res = await call('GET', '/api/vms');
    expect(res.status).toBe(401);
    const body = (await res.json()) as ErrorBody;
    expect(body).toMatchObject({ code: 'unauthenticated' });
    expect(body.requestId).toMatch(/^req_/);
  });

  it('returns 401 for an unknown or malformed key', async () => {
    expect((await call('GET', '/api/vms', `wh_${'0'.repeat(64)}`)).status).toBe(401);
    expect((await call('GET', '/api/vms', 'not-a-key')).status).toBe(401);
  });

  it('returns 403 when the role is too low', async () => {
    const res = await call('POST', '/api/vms', viewer, { id: 'a-1', env_id: 'a', image: 'img' });
    expect(res.status).toBe(403);
    expect((await call('GET', '/api/api-keys', operator)).status).toBe(403);
  });

  it('checks auth before reading the body', async () => {
    const res = await call('POST', '/api/vms', undefined, '{not json');
    expect(res.status).toBe(401);
  });

  it('refuses JSON bodies over the size limit before parsing them', async () => {
    const big = JSON.stringify({ id: 'a-1', env_id: 'a', image: 'x', pad: 'x'.repeat(2_000_000) });
    const res = await call('POST', '/api/vms', operator, big);
    expect(res.status).toBe(413);
  });

  it('keeps the request id the caller sent and returns it', async () => {
    const res = await call('GET', '/api/health', undefined, undefined, {
      'x-request-id': 'req_fromcontroller1',
    });
    expect(res.headers.get('x-request-id')).toBe('req_fromcontroller1');
  });

  it('replaces a request id that is not safe to log', async () => {
    const res = await call('GET', '/api/health', undefined, undefined, {
      'x-request-id': 'a b\u00e9',
    });
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
  });

  it('returns 404 with the error shape for unknown routes', async () => {
    const res = await call('GET', '/api/nope', admin);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).code).toBe('not_found');
  });
});

describe('API keys', () => {
  it('creates a key shown once, lists it without the secret, and revokes it', async () => {
    const res = await call('POST', '/api/api-keys', admin, { name: 'ci', role: 'viewer' });
    const created = (await res.json()) as CreatedAgentApiKey;
    expect(created.key).toMatch(/^wh_[0-9a-f]{64}$/);
    expect((await call('GET', '/api/info', created.key)).status).toBe(200);
    const list = (await (await call('GET', '/api/api-keys', admin)).json()) as {
      items: AgentApiKey[];
    };
    const listed = list.items.find((k: { id: string }) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'ci', role: 'viewer', prefix: created.key.slice(0, 10) });
    expect(JSON.stringify(list)).not.toContain(created.key);
    expect((await call('DELETE', `/api/api-keys/${created.id}`, admin)).status).toBe(200);
    expect((await call('GET', '/api/info', created.key)).status).toBe(401);
  });

  it('stores keys hashed', () => {
    const rows = agent.db.$client.prepare('select hash from api_keys').all() as Array<{
      hash: string;
    }>;
    for (const r of rows) expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    const dbFile = readFileSync(join(config.dataDir, 'agent.db')).toString('latin1');
    expect(dbFile).not.toContain(admin);
  });
});

describe('bootstrap', () => {
  it('refuses bootstrap once a key exists', async () => {
    const token = readFileSync(ensureClaimToken(config.dataDir), 'utf8').trim();
    const res = await call('POST', '/api/api-keys/bootstrap', undefined, { claim_token: token });
    expect(res.status).toBe(409);
  });
});

describe('bootstrap on a fresh agent', () => {
  const fresh = noHostAgent();
  const path = ensureClaimToken(fresh.config.dataDir);

  it('keeps the claim token in a 0600 file', async () => {
    const { statSync } = await import('node:fs');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a wrong claim token', async () => {
    const res = await fresh.agent.app.request('/api/api-keys/bootstrap', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ claim_token: 'x'.repeat(32) }),
    });
    expect(res.status).toBe(403);
  });

  it('trades the claim token for one admin key, once', async () => {
    const token = readFileSync(path, 'utf8').trim();
    const send = () =>
      fresh.agent.app.request('/api/api-keys/bootstrap', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ claim_token: token }),
      });
    const res = await send();
    expect(res.status).toBe(201);
    const key = (await res.json()) as CreatedAgentApiKey;
    expect(key.role).toBe('admin');
    expect(existsSync(path)).toBe(false);
    expect((await send()).status).toBe(409);
  });
});
