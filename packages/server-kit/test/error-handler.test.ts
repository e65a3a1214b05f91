import { ApiError } from '@apiary/protocol';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createErrorHandler } from '../src/error-handler.js';
import { createMemoryLogger } from '../src/logger.js';

function appThrowing(error: unknown) {
  const app = new Hono();
  app.get('/', () => {
    throw error;
  });
  app.onError(createErrorHandler({ log: createMemoryLogger('error').log, service: 'test' }));
  return app;
}

describe('the error handler', () => {
  it('sends Retry-After when the error says when to retry (429, and 503 too)', async () => {
    const limited = await appThrowing(
      new ApiError('rate_limited', 'slow down', { retryAfterSeconds: 4.2 }),
    ).request('/');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('5');
    const busy = await appThrowing(
      new ApiError('unavailable', 'busy', { retryAfterSeconds: 2 }),
    ).request('/');
    expect([busy.status, busy.headers.get('retry-after')]).toEqual([503, '2']);
  });

  it('sends no Retry-After when the error names no time', async () => {
    const res = await appThrowing(new ApiError('rate_limited', 'slow down')).request('/');
    expect(res.headers.get('retry-after')).toBeNull();
  });
});
