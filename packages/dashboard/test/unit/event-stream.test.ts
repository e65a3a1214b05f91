import { afterEach, describe, expect, it } from 'vitest';
import { type EventStream, type LiveStatus, startEventStream } from '../../src/api/event-stream.js';
import type { SseEvent } from '../../src/api/sse-parser.js';

/** A controllable SSE response body. */
function sseResponse() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => (controller = c) });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    end: () => controller.close(),
  };
}

function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error('condition not met in time'));
      setTimeout(tick, 5);
    };
    tick();
  });
}

let stream: EventStream | undefined;
afterEach(() => stream?.stop());

function start(responses: Array<() => Response | Promise<Response>>, extra = {}) {
  const requests: RequestInit[] = [];
  const events: SseEvent[] = [];
  const statuses: LiveStatus[] = [];
  let opens = 0;
  let unauthorized = 0;
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    requests.push(init);
    const next = responses.shift();
    if (!next) return new Promise<Response>(() => {});
    return next();
  }) as typeof fetch;
  stream = startEventStream({
    url: 'http://controller.test/v1/events',
    token: () => 'sess_secret',
    fetch: fakeFetch,
    onEvent: (e) => events.push(e),
    onStatus: (s) => statuses.push(s),
    onOpen: () => opens++,
    onUnauthorized: () => unauthorized++,
    retryMs: 5,
    ...extra,
  });
  return { requests, events, statuses, opens: () => opens, unauthorized: () => unauthorized };
}

describe('startEventStream', () => {
  it('sends the token as a Bearer header and delivers parsed events while live', async () => {
    const first = sseResponse();
    const s = start([() => first.response]);
    await waitFor(() => s.statuses.includes('live'));
    first.send('event: host.liveness\ndata: {"id":"host_a"}\n\n');
    await waitFor(() => s.events.length === 1);
    const headers = s.requests[0]?.headers as Record<string, string>;
    expect(headers.authorization).toBe('Bearer sess_secret');
    expect(headers.accept).toBe('text/event-stream');
    expect(s.events[0]).toMatchObject({ event: 'host.liveness', data: '{"id":"host_a"}' });
    expect(s.statuses).toEqual(['connecting', 'live']);
  });

  it('falls back to polling when the stream ends, then reconnects and reports open again', async () => {
    const first = sseResponse();
    const second = sseResponse();
    const s = start([() => first.response, () => second.response]);
    await waitFor(() => s.opens() === 1);
    first.end();
    await waitFor(() => s.opens() === 2);
    expect(s.statuses).toEqual(['connecting', 'live', 'polling', 'live']);
    second.send('data: after-reconnect\n\n');
    await waitFor(() => s.events.some((e) => e.data === 'after-reconnect'));
  });

  it('treats a network error and a non-stream answer as reasons to poll and retry', async () => {
    const ok = sseResponse();
    const s = start([
      () => Promise.reject(new TypeError('failed to fetch')),
      () => new Response('<!doctype html>', { headers: { 'content-type': 'text/html' } }),
      () => ok.response,
    ]);
    await waitFor(() => s.statuses.at(-1) === 'live');
    expect(s.requests).toHaveLength(3);
    expect(s.statuses).toEqual(['connecting', 'polling', 'polling', 'live']);
  });

  it('stops and reports an expired session on 401 instead of retrying', async () => {
    const s = start([() => new Response('{}', { status: 401 })]);
    await waitFor(() => s.unauthorized() === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.requests).toHaveLength(1);
  });

  it('reconnects a stream that goes silent for longer than the idle timeout', async () => {
    const silent = sseResponse();
    const next = sseResponse();
    const s = start([() => silent.response, () => next.response], { idleTimeoutMs: 40 });
    await waitFor(() => s.opens() === 2);
    expect(s.statuses).toEqual(['connecting', 'live', 'polling', 'live']);
  });

  it('does not reconnect after stop', async () => {
    const first = sseResponse();
    const s = start([() => first.response, () => sseResponse().response]);
    await waitFor(() => s.opens() === 1);
    stream?.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(s.requests).toHaveLength(1);
  });
});
