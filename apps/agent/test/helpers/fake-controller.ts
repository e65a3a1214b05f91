import { type HeartbeatReq, HOST_CREDENTIAL_HEADER, type RegisterHostReq } from '@apiary/protocol';
import { Hono } from 'hono';

/**
 * A controller fake built on the protocol's internal routes: registration, heartbeats,
 * deregistration and image downloads (with Range). Records what agents send.
 */
export function fakeController(images: Record<string, Buffer> = {}) {
  const state = {
    /**
     * Each registration body, with the bearer token it came with (the license key) and the
     * host credential it presented.
     */
    registrations: [] as Array<
      RegisterHostReq & { bearer: string | undefined; presented: string | undefined }
    >,
    /** The credential the controller takes now (null: none yet, or revoked). */
    credential: null as string | null,
    /** Refuse registrations that present no valid credential (a known host, no reset). */
    requireCredential: false,
    /** Hand this rotated credential over in the next heartbeat answer. */
    rotateTo: null as string | null,
    heartbeats: [] as HeartbeatReq[],
    deregistered: 0,
    ack: -1,
    forget: false,
    down: false,
    downloads: [] as Array<{ digest: string; range: string | undefined }>,
    /** Cut image downloads after this many bytes (resume tests). */
    cutAfter: null as number | null,
  };
  const app = new Hono();
  const credential = () => state.credential ?? '';
  app.post('/v1/internal/hosts/register', async (c) => {
    const body = (await c.req.json()) as RegisterHostReq;
    const bearer = c.req.header('authorization')?.replace(/^Bearer /, '');
    const presented = c.req.header(HOST_CREDENTIAL_HEADER);
    state.registrations.push({ ...body, bearer, presented });
    const proven = presented !== undefined && presented === state.credential;
    if (state.requireCredential && !proven) {
      return c.json({ msg: 'already registered', code: 'unauthenticated', requestId: 'r' }, 401);
    }
    state.forget = false;
    state.ack = body.inventory.generation;
    if (!proven) state.credential = `cred-${state.registrations.length}`;
    return c.json({
      host_id: body.host_id,
      host_credential: credential(),
      heartbeat_interval_ms: 100,
      controller_version: 'test',
      api_version: '1.0',
    });
  });
  app.post('/v1/internal/hosts/:id/heartbeat', async (c) => {
    if (state.forget) {
      return c.json({ msg: 'unknown host', code: 'not_found', requestId: 'req_x' }, 404);
    }
    if (c.req.header('authorization') !== `Bearer ${credential()}`) {
      return c.json({ msg: 'bad credential', code: 'unauthenticated', requestId: 'req_x' }, 401);
    }
    const body = (await c.req.json()) as HeartbeatReq;
    state.heartbeats.push(body);
    if (body.inventory) state.ack = body.inventory.generation;
    const rotated = state.rotateTo;
    if (rotated) {
      // Simplified: the new one takes over at once (the real controller keeps both a while).
      state.credential = rotated;
      state.rotateTo = null;
    }
    return c.json({
      next_heartbeat_ms: 100,
      ack_generation: state.ack,
      ...(rotated ? { host_credential: rotated } : {}),
    });
  });
  app.post('/v1/internal/hosts/:id/deregister', (c) => {
    state.deregistered++;
    return c.json({ ok: true });
  });
  app.get('/v1/internal/images/:digest', (c) => {
    if (c.req.header('authorization') !== `Bearer ${credential()}`) {
      return c.json({ msg: 'no', code: 'unauthenticated', requestId: 'req_x' }, 401);
    }
    const digest = c.req.param('digest');
    const range = c.req.header('range');
    state.downloads.push({ digest, range });
    const blob = images[digest];
    if (!blob) return c.json({ msg: 'no such image', code: 'not_found', requestId: 'req_x' }, 404);
    const start = range ? Number(/bytes=(\d+)-/.exec(range)?.[1] ?? 0) : 0;
    let body = blob.subarray(start);
    if (state.cutAfter !== null) {
      body = body.subarray(0, state.cutAfter);
      state.cutAfter = null;
      // A connection that drops mid-body: send what we have, then error the stream.
      const cut = body;
      const stream = new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(cut));
          // The bytes sent so far arrive; then the connection drops.
          setTimeout(() => controller.error(new Error('connection reset')), 100);
        },
      });
      return new Response(stream, { status: start > 0 ? 206 : 200 });
    }
    return new Response(new Uint8Array(body), {
      status: start > 0 ? 206 : 200,
      headers:
        start > 0 ? { 'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}` } : {},
    });
  });
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    if (state.down)
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    return app.fetch(new Request(input, init));
  }) as typeof fetch;
  return { state, fetch: fetchImpl, app };
}
