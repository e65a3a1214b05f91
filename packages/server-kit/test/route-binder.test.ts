import { ApiError, defineRoute } from '@apiary/protocol';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createErrorHandler } from '../src/error-handler.js';
import { createMemoryLogger } from '../src/logger.js';
import { createRouteBinder } from '../src/route-binder.js';

const Item = z.strictObject({ name: z.string().min(1).max(8), tags: z.array(z.string().max(3)) });
const routes = {
  create: defineRoute({
    method: 'POST',
    path: '/items/:id',
    tag: 't',
    auth: 'user',
    status: 201,
    summary: 'create',
    params: z.object({ id: z.string().regex(/^[a-z]+$/) }),
    body: Item,
    response: z.object({ id: z.string(), by: z.string() }),
  }),
  open: defineRoute({
    method: 'GET',
    path: '/open',
    tag: 't',
    auth: 'public',
    status: 200,
    summary: 'open',
    response: z.object({ ok: z.literal(true) }),
  }),
  big: defineRoute({
    method: 'POST',
    path: '/big',
    tag: 't',
    auth: 'user',
    status: 200,
    summary: 'big',
    body: z.object({ blob: z.string() }),
    bodyLimit: 200_000,
    response: z.object({ size: z.number() }),
  }),
  beat: defineRoute({
    method: 'POST',
    path: '/beat',
    tag: 't',
    auth: 'user',
    status: 200,
    summary: 'beat',
    body: z.strictObject({ n: z.int().min(0), extra: z.string().max(2).optional() }),
    // Deliberately too generous (any object with a numeric n): whatever it lets through goes
    // to the handler unchecked, so the test below sees whether the schema still runs on "no".
    plainBody: (v: unknown) =>
      typeof v === 'object' && v !== null && Object.keys(v).length === 1 && 'n' in v,
    response: z.object({ n: z.unknown() }),
  }),
};

type Env = { Variables: { requestId: string } };

function buildApp() {
  let bodiesParsed = 0;
  const authenticate = {
    user: (c: import('hono').Context<Env>) => {
      const header = c.req.header('authorization');
      if (header !== 'Bearer good') throw new ApiError('unauthenticated', 'missing credential');
      return { user: 'alice' };
    },
  };
  const bind = createRouteBinder({ authenticate, validateResponses: true });
  const app = new Hono<Env>();
  bind(app, routes.create, ({ params, body, principal }) => {
    bodiesParsed++;
    return { id: `${params.id}:${body.name}`, by: principal.user };
  });
  bind(app, routes.open, () => ({ ok: true as const }));
  bind(app, routes.big, ({ body }) => ({ size: body.blob.length }));
  bind(app, routes.beat, ({ body }) => ({ n: body.n }));
  app.onError(createErrorHandler({ log: createMemoryLogger().log, service: 'test' }));
  return { app, parsed: () => bodiesParsed };
}

describe('createRouteBinder', () => {
  it('answers 401 to a request without a credential without reading its 1 MiB body', async () => {
    const { app, parsed } = buildApp();
    let pulled = 0;
    // A body stream that counts how much of it the server pulled.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 16) controller.close();
        else controller.enqueue(new Uint8Array(64 * 1024).fill(0x41));
      },
    });
    const res = await app.request('/items/abc', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('unauthenticated');
    expect(parsed()).toBe(0);
    // The stream's first pull happens when it is built; nothing beyond was read.
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('validates params, query and body with the route schemas and passes the principal', async () => {
    const { app } = buildApp();
    const ok = await app.request('/items/abc', {
      method: 'POST',
      body: JSON.stringify({ name: 'box', tags: [] }),
      headers: { authorization: 'Bearer good' },
    });
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ id: 'abc:box', by: 'alice' });

    const bad = await app.request('/items/ABC', {
      method: 'POST',
      body: JSON.stringify({ name: 'box', tags: [] }),
      headers: { authorization: 'Bearer good' },
    });
    expect(bad.status).toBe(400);
    const err = (await bad.json()) as { code: string; details: Array<{ path: string }> };
    expect(err.code).toBe('validation');
    expect(err.details[0]?.path).toBe('params.id');
  });

  it('refuses a body over the route limit with 413 without parsing it', async () => {
    const { app, parsed } = buildApp();
    const res = await app.request('/items/abc', {
      method: 'POST',
      body: JSON.stringify({ name: 'x'.repeat(70_000), tags: [] }),
      headers: { authorization: 'Bearer good' },
    });
    expect(res.status).toBe(413);
    expect(parsed()).toBe(0);
    // A route that declares a larger limit takes the same body.
    const big = await app.request('/big', {
      method: 'POST',
      body: JSON.stringify({ blob: 'x'.repeat(70_000) }),
      headers: { authorization: 'Bearer good' },
    });
    expect(big.status).toBe(200);
  });

  it("takes a body its route's plainBody accepts as is, and gives every other to the schema", async () => {
    const { app } = buildApp();
    const beat = (body: unknown) =>
      app.request('/beat', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { authorization: 'Bearer good' },
      });
    // Plain: passed through without the schema (which would refuse a string n).
    expect(await (await beat({ n: 'unchecked' })).json()).toEqual({ n: 'unchecked' });
    // Not plain: the schema decides, both ways.
    expect((await beat({ n: 1, extra: 'ok' })).status).toBe(200);
    const refused = await beat({ n: 1, extra: 'far too long' });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('validation');
    expect((await beat({ n: -1, stray: true })).status).toBe(400);
  });

  it('refuses malformed JSON with 400', async () => {
    const { app } = buildApp();
    const res = await app.request('/items/abc', {
      method: 'POST',
      body: '{"name":',
      headers: { authorization: 'Bearer good' },
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { msg: string }).msg).toMatch(/not valid JSON/);
  });

  it('serves public routes without any credential', async () => {
    const { app } = buildApp();
    const res = await app.request('/open');
    expect(res.status).toBe(200);
  });

  it('refuses at start-up to bind a route whose auth level has no authenticator', () => {
    const bind = createRouteBinder({ authenticate: {} });
    expect(() => bind(new Hono(), routes.create, () => ({ id: 'x', by: 'y' }))).toThrow(
      /no authenticator for auth level user/,
    );
  });
});
