import type { Health } from '@apiary/protocol';
import { waitFor } from '@apiary/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { testEngine } from '../helpers/test-db.js';

let h: Harness;
afterEach(async () => h?.close());

describe('system routes', () => {
  it('answers 503 to health checks when its database does not answer', async () => {
    h = await createHarness();
    // Stopped first: a controller's LISTEN connection (PostgreSQL) holds the pool open.
    await h.core.stop();
    await h.database.close();
    const res = await h.req('GET', '/v1/health', undefined, null);
    expect(res.status).toBe(503);
    expect((await json<{ msg: string }>(res)).msg).toBe('the database does not answer');
  });

  it('lists the leases it holds at /v1/health: its background passes (PostgreSQL) and other sources', async () => {
    h = await createHarness();
    const expiresAt = Date.now() + 60_000;
    h.core.ctx.leases.register({
      kind: 'saga',
      seriesPerLease: false,
      leases: () => [
        { name: 'saga:env_held', epoch: 3, expiresAt },
        { name: 'saga:env_lost', epoch: null, expiresAt: null },
      ],
    });
    const health = async () => json<Health>(await h.req('GET', '/v1/health', undefined, null));
    const saga = {
      name: 'saga:env_held',
      kind: 'saga',
      epoch: 3,
      expires_at: new Date(expiresAt).toISOString(),
    };
    expect((await health()).leases).toEqual([saga]);
    // Starting runs the reaper at once: on PostgreSQL, under its lease.
    h.core.start();
    if (testEngine() === 'postgres') {
      const reap = await waitFor(
        async () => (await health()).leases?.find((l) => l.name === 'pass:reap'),
        { what: 'the reaper lease in /v1/health' },
      );
      expect(reap).toEqual({
        name: 'pass:reap',
        kind: 'pass',
        epoch: 1,
        expires_at: expect.any(String),
      });
      expect(Date.parse(reap.expires_at)).toBeGreaterThan(Date.now());
    }
    // A clean stop gives the passes up; what other sources hold is theirs to report.
    await h.core.stop();
    expect((await health()).leases).toEqual([saga]);
  });

  it('answers GET / with service info for Accept: application/json and a page for browsers', async () => {
    h = await createHarness();
    const res = await h.core.app.request('/', { headers: { accept: 'application/json' } });
    expect(await res.json()).toEqual({ service: 'apiary-controller', version: expect.any(String) });
    const page = await h.core.app.request('/', { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('serves health, Prometheus metrics, the OpenAPI document and the docs page without auth', async () => {
    h = await createHarness();
    expect(await json(await h.req('GET', '/v1/health', undefined, null))).toMatchObject({
      status: 'healthy',
      database: { engine: testEngine(), ok: true },
    });
    await h.req('GET', '/v1/hosts');
    const metrics = await (await h.core.app.request('/metrics')).text();
    expect(metrics).toContain('# TYPE apiary_http_requests_total counter');
    expect(metrics).toMatch(
      /apiary_http_requests_total\{method="GET",route="\/v1\/hosts",status="200"\} 1/,
    );
    expect(metrics).toContain('apiary_hosts{liveness="ready"} 0');
    for (const name of [
      'apiary_heartbeats_total',
      'apiary_placements_total',
      'apiary_saga_failures_total',
      'apiary_reaper_actions_total',
      'apiary_http_request_duration_seconds',
    ]) {
      expect(metrics).toContain(`# TYPE ${name}`);
    }
    const doc = await json<{ openapi: string; paths: Record<string, unknown> }>(
      await h.core.app.request('/v1/openapi.json'),
    );
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/envs/{id}');
    const docs = await (await h.core.app.request('/docs')).text();
    expect(docs).toContain('/v1/hosts/{id}/drain-status');
  });

  it('answers every /v1 route under /api too', async () => {
    h = await createHarness();
    const a = await json(await h.req('GET', '/api/status'));
    const b = await json(await h.req('GET', '/v1/status'));
    expect(a).toEqual(b);
    expect((await h.req('GET', '/api/hosts')).status).toBe(200);
    expect((await h.req('GET', '/api/auth/whoami')).status).toBe(200);
  });

  it('echoes a well-formed request id and mints one otherwise', async () => {
    h = await createHarness();
    const mine = await h.req('GET', '/v1/hosts', undefined, undefined, {
      'x-request-id': 'req_fromclient1',
    });
    expect(mine.headers.get('x-request-id')).toBe('req_fromclient1');
    const bad = await h.req('GET', '/v1/hosts', undefined, undefined, {
      'x-request-id': 'bad id; rm -rf',
    });
    expect(bad.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
    expect(h.logLines.some((l) => l.includes('"request_id":"req_fromclient1"'))).toBe(true);
  });

  it('answers unknown routes with the one error shape', async () => {
    h = await createHarness();
    const res = await h.req('GET', '/v1/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      msg: 'no route for GET /v1/nope',
      code: 'not_found',
      requestId: expect.stringMatching(/^req_/),
    });
  });

  it('allows CORS only for configured origins', async () => {
    h = await createHarness({ config: { corsOrigins: ['https://dash.example'] } });
    const ok = await h.core.app.request('/v1/health', {
      headers: { origin: 'https://dash.example' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    const no = await h.core.app.request('/v1/health', {
      headers: { origin: 'https://evil.example' },
    });
    expect(no.headers.get('access-control-allow-origin')).toBeNull();
    await h.close();
    h = await createHarness();
    const off = await h.core.app.request('/v1/health', {
      headers: { origin: 'https://dash.example' },
    });
    expect(off.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses JSON bodies over 1 MiB before parsing them', async () => {
    h = await createHarness();
    const res = await h.req(
      'POST',
      '/v1/orgs',
      JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    );
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe('payload_too_large');
  });
});
