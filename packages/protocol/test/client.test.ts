import { describe, expect, it } from 'vitest';
import { ApiError, createAgentClient, createControllerClient } from '../src/index.js';
import { sshKey } from './fixtures.js';

interface Seen {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records requests and answers from a list of canned responses. */
function fakeFetch(responses: Array<() => Response>) {
  const seen: Seen[] = [];
  const impl = async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : init?.body,
    });
    const next = responses.shift();
    if (!next) throw new Error('unexpected request');
    return next();
  };
  return { seen, fetch: impl as typeof fetch };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const hostBody = {
  id: 'host_abcdefgh',
  hostname: 'h1',
  addr: 'http://10.0.0.2:9100',
  public_addr: '10.0.0.2',
  tls: { state: 'plain_http', fingerprint: null, presented_fingerprint: null },
  org_id: null,
  source: 'added',
  liveness: 'ready',
  policy: 'eligible',
  engines: ['bhyve'],
  storage: 'zvol',
  agent_version: '0.1.0',
  api_version: '1.0',
  capacity: {
    total: { cpu: 8, mem: 16384, disk: 100000 },
    reserved: { cpu: 0, mem: 0, disk: 0 },
    free: { cpu: 8, mem: 16384, disk: 100000 },
  },
  vm_count: 0,
  images: [],
  last_heartbeat_at: null,
  registered_at: '2026-11-25T00:00:00.000Z',
  drain: null,
  credential: { state: 'active', reregister_until: null },
};

describe('typed clients', () => {
  it('builds the path, sends the bearer token and forwards the request id', async () => {
    const f = fakeFetch([() => json(200, hostBody)]);
    const api = createControllerClient({
      baseUrl: 'http://ctl:9200/',
      token: 'apy_secret',
      requestId: 'req_abc',
      fetch: f.fetch,
    });
    const host = await api.getHost({ params: { id: 'host_abcdefgh' } });
    expect(host.capacity.free.cpu).toBe(8);
    expect(f.seen[0]?.url).toBe('http://ctl:9200/v1/hosts/host_abcdefgh');
    expect(f.seen[0]?.headers.authorization).toBe('Bearer apy_secret');
    expect(f.seen[0]?.headers['x-request-id']).toBe('req_abc');
  });

  it('serializes query parameters and skips undefined ones', async () => {
    const f = fakeFetch([() => json(200, { items: [], total: 0, limit: 10, offset: 5 })]);
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: f.fetch });
    await api.listEnvs({ query: { limit: 10, offset: 5, owner: undefined } });
    expect(f.seen[0]?.url).toBe('http://ctl/v1/envs?limit=10&offset=5');
  });

  it('validates the body locally and sends nothing when it is invalid', async () => {
    const f = fakeFetch([]);
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: f.fetch });
    const call = api.createEnv({ body: { id: 'Bad Id', ssh_keys: [sshKey()], vms: [] } });
    await expect(call).rejects.toMatchObject({ code: 'validation', status: 400 });
    expect(f.seen).toHaveLength(0);
  });

  it('reports a local refusal with the same structured details a server sends', async () => {
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: fakeFetch([]).fetch });
    const body = { id: 'Bad Id', ssh_keys: [sshKey()], vms: [] };
    const error = (await api.createEnv({ body }).catch((e: unknown) => e)) as ApiError;
    expect(error.details).toEqual([
      expect.objectContaining({ path: 'body.id', code: 'invalid_format', format: 'regex' }),
      expect.objectContaining({ path: 'body.vms', code: 'too_small', minimum: 1 }),
    ]);
    expect(error.message).toMatch(
      /^invalid request: body\.id: must be 1-40 .*; body\.vms: at least 1 entry$/,
    );
  });

  it('turns an error body into a typed ApiError', async () => {
    const f = fakeFetch([
      () => json(404, { msg: 'host not found', code: 'not_found', requestId: 'req_1' }),
    ]);
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: f.fetch });
    const error = await api.getHost({ params: { id: 'nope' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'not_found', requestId: 'req_1', retryable: false });
  });

  it('retries what the server marks retryable, then succeeds', async () => {
    const f = fakeFetch([
      () => json(503, { msg: 'busy', code: 'unavailable', requestId: 'r1', retryable: true }),
      () => json(200, hostBody),
    ]);
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: f.fetch, retryDelayMs: 1 });
    await expect(api.getHost({ params: { id: 'h' } })).resolves.toMatchObject({ id: hostBody.id });
    expect(f.seen).toHaveLength(2);
  });

  it('does not retry a conflict', async () => {
    const f = fakeFetch([
      () => json(409, { msg: 'exists', code: 'conflict', requestId: 'r1' }),
      () => json(200, hostBody),
    ]);
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: f.fetch, retryDelayMs: 1 });
    await expect(api.getHost({ params: { id: 'h' } })).rejects.toMatchObject({ code: 'conflict' });
    expect(f.seen).toHaveLength(1);
  });

  it('gives up after the configured number of retries', async () => {
    const busy = () => json(503, { msg: 'busy', code: 'unavailable', requestId: 'r' });
    const f = fakeFetch([busy, busy, busy, busy]);
    const api = createAgentClient({
      baseUrl: 'http://agent',
      fetch: f.fetch,
      retries: 2,
      retryDelayMs: 1,
    });
    await expect(api.info()).rejects.toMatchObject({ code: 'unavailable' });
    expect(f.seen).toHaveLength(3);
  });

  it('lets one call ask for fewer retries than its client (a quick answer matters more)', async () => {
    const busy = () => json(503, { msg: 'busy', code: 'unavailable', requestId: 'r' });
    const f = fakeFetch([busy, busy, busy]);
    const api = createAgentClient({ baseUrl: 'http://agent', fetch: f.fetch, retryDelayMs: 1 });
    await expect(api.info(undefined, { retries: 0 })).rejects.toMatchObject({
      code: 'unavailable',
    });
    expect(f.seen).toHaveLength(1);
  });

  it('retries a refused connection even for a POST, since nothing was sent', async () => {
    const refused = () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    const ok = () =>
      json(202, {
        vm: {
          id: 'e-0',
          env_id: 'e',
          state: 'creating',
          error: null,
          image: 'alpine-cloud',
          image_digest: null,
          cpu: 2,
          mem: 1024,
          disk: 40960,
          ports: [22],
          deny_outgoing: false,
          ip: null,
          port_map: {},
          generation: 1,
          operation_id: 'op_12345678',
          created_at: '2026-11-25T00:00:00Z',
          updated_at: '2026-11-25T00:00:00Z',
        },
        operation: {
          id: 'op_12345678',
          vm_id: 'e-0',
          kind: 'create',
          state: 'pending',
          step: null,
          error: null,
          created_at: '2026-11-25T00:00:00Z',
          updated_at: '2026-11-25T00:00:00Z',
        },
      });
    const f = fakeFetch([refused, ok]);
    const agent = createAgentClient({ baseUrl: 'http://agent', fetch: f.fetch, retryDelayMs: 1 });
    const result = await agent.createVm({
      body: { id: 'e-0', env_id: 'e', image: 'alpine-cloud' },
    });
    expect(result.operation.state).toBe('pending');
    expect(f.seen[1]?.body).toMatchObject({ id: 'e-0' });
  });

  it('reports a response of the wrong shape as an upstream failure', async () => {
    const f = fakeFetch([() => json(200, { hello: 'world' })]);
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: f.fetch });
    await expect(api.health()).rejects.toMatchObject({ code: 'upstream_failed' });
  });

  it('maps a non-JSON error page to a code from its status', async () => {
    const f = fakeFetch([() => new Response('<html>bad gateway</html>', { status: 502 })]);
    const api = createControllerClient({ baseUrl: 'http://ctl', fetch: f.fetch, retries: 0 });
    await expect(api.health()).rejects.toMatchObject({ code: 'host_command_failed', status: 502 });
  });
});
