import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { ApiError, defineRoute } from '@apiary/protocol';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createErrorHandler,
  createFastLane,
  createMemoryLogger,
  createRouteBinder,
  createServerMetrics,
  requestScope,
  type ServedDaemon,
  serveDaemon,
} from '../src/index.js';

const beat = defineRoute({
  method: 'POST',
  path: '/hosts/:id/beat',
  tag: 't',
  auth: 'host',
  status: 200,
  summary: 'beat',
  params: z.object({ id: z.string().regex(/^h[0-9]+$/) }),
  body: z.strictObject({ n: z.int().min(0), note: z.string().max(4).optional() }),
  // Exact, as the protocol's must be: a plain body is one the schema would take unchanged.
  plainBody: (v: unknown) =>
    typeof v === 'object' &&
    v !== null &&
    Object.keys(v).length === 1 &&
    Number.isInteger((v as { n?: unknown }).n) &&
    (v as { n: number }).n >= 0,
  bodyLimit: 1024,
  response: z.object({ host: z.string(), n: z.number() }),
});

type Env = { Variables: { requestId: string } };

function checkToken(token: string | undefined, hostId: string): { hostId: string } {
  if (token !== `Bearer secret-${hostId}`) {
    throw new ApiError('unauthenticated', 'bad host credential');
  }
  return { hostId };
}

function handle(principal: { hostId: string }, body: { n: number; note?: string }) {
  if (body.note === 'boom') throw new Error('database on fire');
  // A handler that breaks its response schema (n must be a number).
  if (body.note === 'bad') return { host: principal.hostId, n: 'x' as unknown as number };
  return { host: principal.hostId, n: body.n };
}

/** One daemon serving `beat` through hono; with `lane`, through the fast lane as well. */
async function startDaemon(lane: boolean) {
  const memory = createMemoryLogger();
  const metrics = createServerMetrics({ namespace: 't', processMetrics: false });
  const errors = { log: memory.log, service: 'test' };
  let honoRequests = 0;
  const app = new Hono<Env>();
  app.use('*', async (_c, next) => {
    honoRequests++;
    await next();
  });
  app.use('*', ...requestScope({ log: memory.log, metrics }));
  const bind = createRouteBinder({
    authenticate: {
      host: (c: import('hono').Context<Env>) =>
        checkToken(c.req.header('authorization'), c.req.param('id') ?? ''),
    },
    validateResponses: true,
  });
  bind(app, beat, ({ principal, body }) => handle(principal, body));
  app.onError(createErrorHandler(errors));
  const fastLane = lane
    ? createFastLane({
        log: memory.log,
        metrics,
        errors,
        validateResponses: true,
        routes: [
          {
            route: beat,
            paths: [beat.path],
            authenticate: ({ headers, params }) =>
              checkToken(headers.authorization, params.id ?? ''),
            handle: ({ principal, body }) =>
              handle(principal as { hostId: string }, body as { n: number }),
          },
        ],
      })
    : undefined;
  let listening = () => {};
  const ready = new Promise<void>((resolve) => {
    listening = resolve;
  });
  const served = serveDaemon({
    onListening: () => listening(),
    fetch: app.fetch,
    hostname: '127.0.0.1',
    port: 0,
    tls: null,
    log: memory.log,
    ...(fastLane ? { fastLane } : {}),
  });
  await ready;
  return { served, memory, metrics, honoRequests: () => honoRequests };
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
}

/** A raw request: `declaredLength` may promise more body than is sent. */
function request(
  served: ServedDaemon,
  path: string,
  options: { token?: string; body?: string; declaredLength?: number; requestId?: string } = {},
): Promise<Answer> {
  const { port } = served.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: {
          'content-type': 'application/json',
          // Kept alive unless the server says otherwise (it must, for a body it did not read).
          connection: 'keep-alive',
          'content-length': options.declaredLength ?? Buffer.byteLength(body),
          ...(options.token ? { authorization: options.token } : {}),
          ...(options.requestId ? { 'x-request-id': options.requestId } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: parseBody(text), headers: res.headers }),
        );
      },
    );
    req.on('error', reject);
    // With a declared length beyond what is written, the request stays open: an answer can
    // only come from a server that did not wait for the body.
    req.write(body);
    if (options.declaredLength === undefined) req.end();
  });
}

function parseBody(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

const CASES: Array<[string, string, Parameters<typeof request>[2]]> = [
  ['a plain beat', '/hosts/h1/beat', { token: 'Bearer secret-h1', body: '{"n":3}' }],
  ['a beat with more', '/hosts/h1/beat', { token: 'Bearer secret-h1', body: '{"n":3,"note":"x"}' }],
  ['no credential', '/hosts/h1/beat', { body: '{"n":3}' }],
  ["another host's credential", '/hosts/h2/beat', { token: 'Bearer secret-h1', body: '{"n":1}' }],
  ['a bad path parameter', '/hosts/zz/beat', { token: 'Bearer secret-zz', body: '{"n":1}' }],
  ['a body the schema refuses', '/hosts/h1/beat', { token: 'Bearer secret-h1', body: '{"n":-1}' }],
  [
    'a plain-looking body it refuses',
    '/hosts/h1/beat',
    { token: 'Bearer secret-h1', body: '{"n":"x"}' },
  ],
  ['not JSON', '/hosts/h1/beat', { token: 'Bearer secret-h1', body: '{"n":' }],
  [
    'a body over the limit',
    '/hosts/h1/beat',
    { token: 'Bearer secret-h1', body: `{"n":1,"note":"${'x'.repeat(2000)}"}` },
  ],
  [
    'a handler that fails',
    '/hosts/h1/beat',
    { token: 'Bearer secret-h1', body: '{"n":1,"note":"boom"}' },
  ],
  [
    'a response breaking its schema',
    '/hosts/h1/beat',
    { token: 'Bearer secret-h1', body: '{"n":1,"note":"bad"}' },
  ],
];

/** What must match between the lanes: status, body (the request id aside), error headers. */
function comparable(answer: Answer) {
  const { requestId, ...body } = answer.body;
  // Each answer's own id: an error body carries the id its X-Request-Id header says.
  if (requestId !== undefined) expect(requestId).toBe(answer.headers['x-request-id']);
  return { status: answer.status, body, contentType: answer.headers['content-type'] };
}

describe('the fast lane', () => {
  const daemons: Awaited<ReturnType<typeof startDaemon>>[] = [];
  const start = async (lane: boolean) => {
    const daemon = await startDaemon(lane);
    daemons.push(daemon);
    return daemon;
  };
  afterEach(async () => {
    for (const d of daemons.splice(0)) {
      await new Promise((resolve) => d.served.server.close(resolve));
    }
  });

  it('answers every case exactly as the hono binding does, without hono', async () => {
    const viaHono = await start(false);
    const viaLane = await start(true);
    for (const [name, path, options] of CASES) {
      const expected = comparable(await request(viaHono.served, path, options));
      const actual = comparable(await request(viaLane.served, path, options));
      expect({ name, ...actual }).toEqual({ name, ...expected });
    }
    expect(viaHono.honoRequests()).toBe(CASES.length);
    expect(viaLane.honoRequests()).toBe(0);
  });

  it('refuses a bad credential before reading the body: the answer comes while the body is still owed', async () => {
    const { served } = await start(true);
    const answer = await request(served, '/hosts/h1/beat', {
      token: 'Bearer wrong',
      body: '{"n":',
      declaredLength: 900,
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.connection).toBe('close');
  });

  it('refuses a declared length over the limit unread', async () => {
    const { served } = await start(true);
    const answer = await request(served, '/hosts/h1/beat', {
      token: 'Bearer secret-h1',
      body: '{',
      declaredLength: 5000,
    });
    expect(answer.status).toBe(413);
  });

  it('finishes a request whose client leaves mid-body instead of waiting for the rest forever', async () => {
    const { served, memory } = await start(true);
    const { port } = served.server.address() as AddressInfo;
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /hosts/h1/beat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer secret-h1\r\n' +
        'Content-Type: application/json\r\nContent-Length: 900\r\n\r\n{"n":',
    );
    // The server has the head and part of the body when the client goes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await expect
      .poll(() => memory.lines.some((l) => JSON.parse(l).msg === 'request'), { timeout: 3000 })
      .toBe(true);
  });

  it('keeps the request id, the metrics and the access line of the request scope', async () => {
    const { served, memory, metrics } = await start(true);
    const answer = await request(served, '/hosts/h1/beat', {
      token: 'Bearer secret-h1',
      body: '{"n":1}',
      requestId: 'abc-123',
    });
    expect(answer.headers['x-request-id']).toBe('abc-123');
    const series = await metrics.httpRequests.get();
    expect(series.values).toContainEqual({
      labels: { method: 'POST', route: '/hosts/:id/beat', status: '200' },
      value: 1,
    });
    const line = memory.lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
    expect(line).toMatchObject({ request_id: 'abc-123', path: '/hosts/h1/beat', status: 200 });
    // The 5xx is logged with its cause, and only an opaque message goes out.
    const failed = await request(served, '/hosts/h1/beat', {
      token: 'Bearer secret-h1',
      body: '{"n":1,"note":"boom"}',
    });
    expect(failed.status).toBe(500);
    expect(JSON.stringify(failed.body)).not.toContain('fire');
    expect(memory.lines.some((l) => l.includes('database on fire'))).toBe(true);
  });

  it('leaves other methods and paths to hono', async () => {
    const { served, honoRequests } = await start(true);
    const answer = await request(served, '/hosts/h1/beat/more', { token: 'Bearer secret-h1' });
    expect(answer.status).toBe(404);
    expect(honoRequests()).toBe(1);
  });
});
