import { createServer } from 'node:net';
import type { ErrorBody } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, json } from '../helpers/harness.js';
import { TEST_BUCKET, TEST_CREDENTIALS } from '../helpers/s3-server.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A loopback port nothing listens on (taken, then let go). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('an S3 blob store out of reach', () => {
  it('does not stop the controller from starting, and turns uploads away with 503', async () => {
    h = await createHarness({
      config: {
        blobStore: { kind: 's3', bucket: TEST_BUCKET, prefix: 'down/' },
        s3Endpoint: `http://127.0.0.1:${await closedPort()}`,
        s3PathStyle: true,
        s3Credentials: TEST_CREDENTIALS,
      },
    });
    expect(h.logLines.some((l) => l.includes('could not sweep the blob store'))).toBe(true);
    const res = await h.core.app.request('/v1/images?name=nowhere', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.adminKey}` },
      body: 'bytes with nowhere to go',
    });
    expect(res.status).toBe(503);
    const body = await json<ErrorBody>(res);
    expect(body.code).toBe('unavailable');
    // The store's own words (addresses, errors) stay in the log.
    expect(body.msg).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
    expect(h.logLines.some((l) => l.includes('the blob store failed'))).toBe(true);
  });
});
