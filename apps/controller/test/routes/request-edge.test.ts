import type { Server } from 'node:http';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promtoolCheck } from '@apiary/testkit';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, sshKey } from '../helpers/harness.js';

/*
 * What every route shares (the server kit): credentials are checked before a body is read,
 * secrets never reach the log, and /metrics is a valid Prometheus exposition.
 */

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MIB = 1024 * 1024;

/** POSTs `size` bytes to `path` over a real socket; resolves with the status and the time to it. */
function postBytes(url: string, path: string, size: number) {
  return new Promise<{ status: number; ms: number }>((resolve, reject) => {
    const started = performance.now();
    const req = request(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': size },
    });
    req.on('response', (res) => {
      const ms = performance.now() - started;
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms });
      req.destroy();
    });
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
    // The body goes out in chunks, as an attacker's would; the answer may come before the end.
    const chunk = Buffer.alloc(64 * 1024, 0x5b);
    for (let sent = 0; sent < size; sent += chunk.length) req.write(chunk);
    req.end();
  });
}

describe('credentials before bodies', () => {
  it('answers an unauthenticated 1 MiB heartbeat with 401 without reading the body', async () => {
    h = await createHarness();
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 16) controller.close();
        else controller.enqueue(new Uint8Array(64 * 1024).fill(0x5b));
      },
    });
    const res = await h.core.app.request('/v1/internal/hosts/host_x/heartbeat', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(401);
    // Building the stream pulls once; a read of the body would pull all 16 chunks.
    expect(pulled).toBeLessThanOrEqual(1);
  });

  it('answers the same over a socket in under 50 ms while the body is still arriving', async () => {
    h = await createHarness();
    const server = await new Promise<Server>((resolve) => {
      const s = serve({ fetch: h.core.app.fetch, hostname: '127.0.0.1', port: 0 }, () =>
        resolve(s as Server),
      );
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await postBytes(url, '/v1/internal/hosts/host_x/heartbeat', MIB); // warm-up
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const { status, ms } = await postBytes(url, '/v1/internal/hosts/host_x/heartbeat', MIB);
        expect(status).toBe(401);
        times.push(ms);
      }
      times.sort((a, b) => a - b);
      expect(times[2]).toBeLessThan(50);
      // Registration takes its license key in the header too: refused before its body.
      expect((await postBytes(url, '/v1/internal/hosts/register', MIB)).status).toBe(401);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  it('lists at most 20 issues of a body with thousands of bad entries', async () => {
    h = await createHarness();
    const bad = { image: 'img', cpu: 0, mem: 1, disk: 1, ports: [0, 70000] };
    const res = await h.req('POST', '/v1/envs', {
      id: 'many',
      ssh_keys: Array.from({ length: 32 }, () => 'not a key'),
      vms: Array.from({ length: 64 }, () => bad),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { details: unknown[]; omitted_issues?: number };
    expect(body.details.length).toBe(20);
    expect(body.omitted_issues).toBeGreaterThan(300);
  });
});

describe('logs', () => {
  it('never contain a secret a request carried, at debug level', async () => {
    h = await createHarness();
    const { agent, credential } = await h.addAgent({ hostId: 'host_logs00000001' });
    await h.heartbeat(agent, credential);
    const login = await h.req(
      'POST',
      '/v1/auth/login',
      { username: 'admin', password: h.adminPassword },
      null,
    );
    const session = ((await login.json()) as { token: string }).token;
    await h.req(
      'POST',
      '/v1/auth/login',
      { username: 'admin', password: 'wrong-Password-1' },
      null,
    );
    const key = (await (
      await h.req('POST', '/v1/api-keys', { name: 'k', role: 'member' })
    ).json()) as {
      key: string;
    };
    const license = (await (await h.req('POST', '/v1/license-keys', { name: 'l' })).json()) as {
      key: string;
    };
    await h.req('POST', '/v1/envs', { id: 'e1', ssh_keys: [sshKey()], vms: [{ image: 'nope' }] });
    await h.req('GET', '/v1/auth/whoami', undefined, session);
    await h.req('GET', '/v1/auth/whoami', undefined, 'aps_not-a-real-session');
    const secrets = [
      h.licenseKey,
      h.adminKey,
      h.adminPassword,
      'wrong-Password-1',
      credential,
      agent.key,
      session,
      key.key,
      license.key,
    ];
    const text = h.logLines.join('\n');
    expect(h.logLines.length).toBeGreaterThanOrEqual(10);
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      expect(text).not.toContain(secret);
    }
  });
});

describe('/metrics', () => {
  it('passes promtool check metrics after some traffic', async () => {
    h = await createHarness();
    await h.addAgent({ hostId: 'host_metrics00001' });
    await h.req('GET', '/v1/hosts');
    await h.req('GET', '/v1/nope');
    const text = await (await h.core.app.request('/metrics')).text();
    expect(text).toContain('apiary_http_request_duration_seconds_bucket');
    expect(text).toContain('apiary_heartbeats_total{result="registered"} 1');
    expect(promtoolCheck(text)).toBe('');
  });
});
