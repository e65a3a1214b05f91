import type { Env, FleetStatus, Host, Image } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { asVmNames, EMPTY_FOOTPRINT, footprint } from './footprint.js';

/** Seed 003 (curl examples) and seed 002 (controller endpoints) against a real fleet. */
let c: ControllerDaemon;
let registered: AgentDaemon;
let standalone: AgentDaemon;

fleetForFile(
  { agents: 1, controllerArgs: ['--heartbeat-interval-ms', '1000', '--drain-interval-ms', '300'] },
  async (fleet) => {
    c = fleet.controller;
    registered = fleet.agents[0] as AgentDaemon;
    standalone = await fleet.addAgent({ register: false });
  },
);

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

describe('seed 002 and 003 against a controller and real agents', () => {
  it('answers the public endpoints: service info, health and metrics', async () => {
    const info = await c.fetch('/', { headers: { accept: 'application/json' } });
    expect(await info.json()).toEqual({
      service: 'apiary-controller',
      version: expect.any(String),
    });
    const engine = process.env.APIARY_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';
    expect(await json(c.fetch('/v1/health'))).toMatchObject({
      status: 'healthy',
      database: { engine, ok: true, latency_ms: expect.any(Number) },
    });
    const metrics = await (await c.fetch('/metrics')).text();
    expect(metrics).toMatch(/apiary_heartbeats_total\{result="registered"\} 1/);
  });

  it('registers a host by address (POST /api/hosts): shows its certificate, refuses without a key, then adds it pinned', async () => {
    const addr = standalone.url.replace('https://', '');
    // First contact with an HTTPS agent: the controller shows the certificate and sends nothing.
    const unknown = await c.call('POST', '/api/hosts', { addr });
    expect(unknown.status).toBe(412);
    const shown = await json<{ msg: string; details: { result: string; tls_fingerprint: string } }>(
      unknown,
    );
    expect(shown.details).toMatchObject({
      result: 'certificate_unknown',
      tls_fingerprint: standalone.fingerprint,
    });
    expect(shown.msg).toMatch(/apiary-agent info/);
    // The operator compared it with `apiary-agent info` on the host (colons and case ignored).
    const pasted = `SHA256:${standalone.fingerprint.slice(7).toUpperCase().match(/../g)?.join(':')}`;
    const noKey = await c.call('POST', '/api/hosts', { addr, tls_fingerprint: pasted });
    expect(noKey.status).toBe(412);
    const refusal = await json<{ msg: string; details: { result: string } }>(noKey);
    expect(refusal.details.result).toBe('bad_key');
    expect(refusal.msg).toMatch(/requires an API key/);

    const key = await standalone.createKey('operator');
    const added = await c.call('POST', '/api/hosts', {
      addr,
      api_key: key,
      tls_fingerprint: pasted,
    });
    expect(added.status).toBe(201);
    const host = await json<Host>(added);
    expect(host).toMatchObject({
      id: standalone.hostId,
      addr: standalone.url,
      tls: { state: 'pinned', fingerprint: standalone.fingerprint, presented_fingerprint: null },
      source: 'added',
      liveness: 'ready',
      policy: 'eligible',
    });
    expect(host.capacity.total.cpu).toBe(8);

    // The registered agent is already known: its record comes back as it is.
    const known = await c.call('POST', '/api/hosts', {
      addr: registered.url.replace('https://', ''),
    });
    expect(known.status).toBe(200);
    expect((await json<Host>(known)).id).toBe(registered.hostId);
    const list = await json<{ items: Host[] }>(c.call('GET', '/api/hosts'));
    expect(list.items.map((h) => h.id).sort()).toEqual(
      [registered.hostId, standalone.hostId].sort(),
    );
  });

  it('creates the seed example environment (POST /api/envs) and shows it in GET /api/status', async () => {
    await uploadSampleImage(c.admin, 'alpine-cloud');
    const body = {
      id: 'my-env',
      owner: 'alice',
      ssh_keys: [sshKey()],
      vms: [
        {
          image: 'alpine-cloud',
          engine: 'qemu',
          cpu: 2,
          mem: 2048,
          disk: 40960,
          ports: [80],
          deny_outgoing: false,
        },
      ],
      lifetime: 21600,
    };
    const created = await c.fetch('/api/envs', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${c.bootstrap.adminApiKey}`,
        'content-type': 'application/json',
        'x-request-id': 'req_seedcreate0001',
      },
      body: JSON.stringify(body),
    });
    expect(created.status).toBe(202);
    const env = await waitFor(
      async () => {
        const e = await json<Env>(c.call('GET', '/api/envs/my-env'));
        if (e.state === 'failed') throw new Error(JSON.stringify(e.error));
        return e.state === 'active' ? e : undefined;
      },
      { what: 'my-env to be active', timeoutMs: 120_000, intervalMs: 250 },
    );
    const vm = env.vms[0];
    expect(vm).toMatchObject({
      id: 'my-env-0',
      state: 'running',
      engine: 'bhyve',
      ports: [22, 80],
    });
    expect(vm?.ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(Object.keys(vm?.port_map ?? {}).sort()).toEqual(['22', '80']);
    expect(await json(c.call('GET', '/api/vms/my-env-0'))).toMatchObject({
      id: 'my-env-0',
      state: 'running',
    });
    const host = [registered, standalone].find((a) => a.hostId === vm?.host_id) as AgentDaemon;
    expect(asVmNames(footprint(host.host()).zones)).toEqual(['my-env-0:running']);
    // The user's request id reached the agent that made the VM (and its host command logs).
    expect(host.process.output).toContain('req_seedcreate0001');

    const status = await json<FleetStatus>(c.call('GET', '/api/status'));
    expect(status.hosts).toMatchObject({ total: 2, ready: 2, eligible: 2 });
    expect(status.envs.by_state).toEqual({ active: 1 });
    expect(status.vms.by_state).toEqual({ running: 1 });
    expect(status.capacity.reserved.cpu).toBe(2);
    const images = await json<{ items: Image[] }>(c.call('GET', '/api/images'));
    expect(images.items[0]?.hosts).toEqual([vm?.host_id]);
    const hostView = await json<Host>(c.call('GET', `/v1/hosts/${vm?.host_id}`));
    expect(hostView.capacity.reserved).toMatchObject({ cpu: 2, mem: 2048, disk: 40960 });
  }, 180_000);

  it('answers whoami and the drain endpoints of seed 002', async () => {
    expect(await json(c.call('GET', '/v1/auth/whoami'))).toMatchObject({
      via: 'api_key',
      role: 'super_admin',
    });
    const vm = await json<{ host_id: string }>(c.call('GET', '/api/vms/my-env-0'));
    const id = [registered, standalone].find((a) => a.hostId !== vm.host_id)?.hostId as string;
    const drain = await c.call('POST', `/v1/hosts/${id}/drain`, { mode: 'wait' });
    expect(drain.status).toBe(202);
    const status = await waitFor(
      async () => {
        const s = await json<{ complete: boolean }>(c.call('GET', `/v1/hosts/${id}/drain-status`));
        return s.complete ? s : undefined;
      },
      { what: 'empty drain to complete' },
    );
    expect(status).toMatchObject({ mode: 'wait', state: 'complete', vms_total: 0 });
    const activated = await json<Host>(c.call('POST', `/v1/hosts/${id}/activate`));
    expect(activated.policy, JSON.stringify(activated)).toBe('eligible');
    // The busy host: the drain waits for its VM, and undrain cancels it.
    await c.call('POST', `/v1/hosts/${vm.host_id}/drain`, { mode: 'wait' });
    await new Promise((r) => setTimeout(r, 700));
    const waiting = await json<Record<string, unknown>>(
      c.call('GET', `/v1/hosts/${vm.host_id}/drain-status`),
    );
    expect(waiting).toMatchObject({
      state: 'draining',
      vms_total: 1,
      vms_remaining: 1,
      complete: false,
    });
    expect((await json<Host>(c.call('POST', `/v1/hosts/${vm.host_id}/undrain`))).policy).toBe(
      'eligible',
    );
    expect(await json(c.call('GET', `/v1/hosts/${vm.host_id}/drain-status`))).toMatchObject({
      state: 'cancelled',
    });
  });

  it('destroys the environment (DELETE /api/envs/{id}) leaving nothing on the host, then removes a host', async () => {
    expect((await c.call('DELETE', '/api/envs/my-env')).status).toBe(202);
    await waitFor(
      async () => (await json<Env>(c.call('GET', '/api/envs/my-env'))).state === 'deleted',
      { what: 'my-env to be deleted', timeoutMs: 120_000, intervalMs: 250 },
    );
    for (const a of [registered, standalone]) expect(footprint(a.host())).toEqual(EMPTY_FOOTPRINT);
    expect((await c.call('DELETE', `/api/hosts/${standalone.hostId}`)).status).toBe(200);
    expect((await c.call('GET', `/api/hosts/${standalone.hostId}`)).status).toBe(404);
  }, 180_000);
});
