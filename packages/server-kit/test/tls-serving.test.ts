import { copyFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { tempDir } from '@apiary/testkit/test-temp';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CertificateMismatchError,
  certificateMismatchIn,
  createMemoryLogger,
  ensureSelfSignedCertificate,
  type ServedDaemon,
  serveDaemon,
  trustedFetch,
  trustedHttpsAgent,
} from '../src/index.js';

async function twoCertificates() {
  const a = await ensureSelfSignedCertificate(tempDir('tls-a-'), {
    commonName: 'a',
    names: ['localhost', '127.0.0.1'],
  });
  const b = await ensureSelfSignedCertificate(tempDir('tls-b-'), {
    commonName: 'b',
    names: ['localhost', '127.0.0.1'],
  });
  // The served files are copies, so a test can swap them as an operator renewing would.
  const dir = tempDir('tls-served-');
  const served = { certFile: join(dir, 'cert.pem'), keyFile: join(dir, 'key.pem') };
  copyFileSync(a.certFile, served.certFile);
  copyFileSync(a.keyFile, served.keyFile);
  return { a, b, served };
}

let daemon: ServedDaemon | null = null;
let requests = 0;
afterEach(async () => {
  await new Promise((resolve) => daemon?.server.close(resolve) ?? resolve(null));
  daemon = null;
});

async function start(tls: { certFile: string; keyFile: string }) {
  requests = 0;
  const app = new Hono().all('*', (c) => {
    requests++;
    return c.json({ auth: c.req.header('authorization') ?? null });
  });
  const { log } = createMemoryLogger();
  return new Promise<{ url: string; daemon: ServedDaemon }>((resolve) => {
    const served = serveDaemon({
      fetch: app.fetch,
      hostname: '127.0.0.1',
      port: 0,
      tls,
      log,
      onListening: (info) => resolve({ url: `https://127.0.0.1:${info.port}`, daemon: served }),
    });
    daemon = served;
  });
}

describe('serving HTTPS', () => {
  it('serves the certificate it was given, and the new one after a reload (SIGHUP)', async () => {
    const { a, b, served } = await twoCertificates();
    const { url, daemon } = await start(served);
    expect(daemon.scheme).toBe('https');
    expect(daemon.fingerprint()).toBe(a.fingerprint);
    const pinnedA = trustedFetch({ kind: 'fingerprint', fingerprint: a.fingerprint });
    const pinnedB = trustedFetch({ kind: 'fingerprint', fingerprint: b.fingerprint });
    expect((await pinnedA.fetch(`${url}/x`)).status).toBe(200);

    copyFileSync(b.certFile, served.certFile);
    copyFileSync(b.keyFile, served.keyFile);
    process.emit('SIGHUP', 'SIGHUP');
    expect(daemon.fingerprint()).toBe(b.fingerprint);
    expect((await pinnedB.fetch(`${url}/x`)).status).toBe(200);
    // A new connection (an open one keeps the certificate it was made with) gets the new one.
    const freshA = trustedFetch({ kind: 'fingerprint', fingerprint: a.fingerprint });
    expect(certificateMismatchIn(await freshA.fetch(`${url}/x`).catch((e) => e))?.presented).toBe(
      b.fingerprint,
    );
    await Promise.all([pinnedA.close(), pinnedB.close(), freshA.close()]);
  });

  it('keeps serving the current certificate when the new pair does not load', async () => {
    const { a, b, served } = await twoCertificates();
    const { daemon } = await start(served);
    // A renewed certificate with the old key: a mismatch the reload must refuse.
    copyFileSync(b.certFile, served.certFile);
    expect(daemon.reload()).toBe(false);
    expect(daemon.fingerprint()).toBe(a.fingerprint);
  });
});

describe('pinned clients', () => {
  it('fetch refuses a peer with another certificate before sending anything', async () => {
    const { b, served } = await twoCertificates();
    const { url } = await start(served);
    const pinned = trustedFetch({ kind: 'fingerprint', fingerprint: b.fingerprint });
    const error = await pinned
      .fetch(`${url}/secret`, { headers: { authorization: 'Bearer wh_secret' } })
      .catch((e: unknown) => e);
    const mismatch = certificateMismatchIn(error);
    expect(mismatch).toBeInstanceOf(CertificateMismatchError);
    expect(mismatch?.expected).toBe(b.fingerprint);
    expect(mismatch?.message).toMatch(/certificate changed/);
    expect(requests).toBe(0);
    await pinned.close();
  });

  it('fetch trusts a CA file for the names in the certificate', async () => {
    const { a, served } = await twoCertificates();
    const { url } = await start(served);
    const { readFileSync } = await import('node:fs');
    const byCa = trustedFetch({ kind: 'ca', ca: readFileSync(a.certFile) });
    expect(await (await byCa.fetch(`${url}/y`)).json()).toEqual({ auth: null });
    await byCa.close();
    const bySystem = trustedFetch({ kind: 'system' });
    await expect(bySystem.fetch(`${url}/y`)).rejects.toThrow();
    await bySystem.close();
  });

  it('the https agent (websockets) refuses a peer with another certificate before the request', async () => {
    const { a, b, served } = await twoCertificates();
    const { url } = await start(served);
    const call = (fingerprint: string) =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(`${url}/ws`, {
          agent: trustedHttpsAgent({ kind: 'fingerprint', fingerprint }),
          headers: { authorization: 'Bearer wh_secret' },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    await expect(call(b.fingerprint)).rejects.toBeInstanceOf(CertificateMismatchError);
    expect(requests).toBe(0);
    expect(await call(a.fingerprint)).toBe(200);
    expect(requests).toBe(1);
  });
});
