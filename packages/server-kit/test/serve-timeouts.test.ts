import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createMemoryLogger, serveDaemon } from '../src/index.js';

describe('a served daemon', () => {
  it('lets a long upload run (no request timeout) but still bounds the headers', async () => {
    const { log } = createMemoryLogger();
    const served = serveDaemon({
      fetch: new Hono().fetch,
      hostname: '127.0.0.1',
      port: 0,
      tls: null,
      log,
    });
    try {
      // 0: no limit. Node's default (5 minutes) would cut a disk transfer mid-stream.
      expect(served.server.requestTimeout).toBe(0);
      expect(served.server.headersTimeout).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => served.server.close(resolve));
    }
  });
});
