import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, Host } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { asVmNames, EMPTY_FOOTPRINT, footprint } from './footprint.js';

let c: ControllerDaemon;
let a: AgentDaemon;
let b: AgentDaemon;
let bToken: string;

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

fleetForFile(
  {
    agents: 1,
    controllerArgs: ['--heartbeat-interval-ms', '1000', '--reaper-interval-ms', '1000'],
  },
  async (fleet) => {
    c = fleet.controller;
    a = fleet.agents[0] as AgentDaemon;
    // Organization B with its own admin, license key and host.
    const org = await json<{ id: string }>(c.call('POST', '/v1/orgs', { name: 'Org B' }));
    await c.call('POST', '/v1/users', {
      username: 'bella',
      password: 'a long password 123',
      role: 'org_admin',
      org_id: org.id,
    });
    bToken = (
      await json<{ token: string }>(
        c.call(
          'POST',
          '/v1/auth/login',
          { username: 'bella', password: 'a long password 123' },
          null,
        ),
      )
    ).token;
    const lic = await json<{ key: string }>(
      c.call('POST', '/v1/license-keys', { name: 'b' }, bToken),
    );
    const licenseFile = join(c.dataDir, 'license-b.key');
    writeFileSync(licenseFile, lic.key, { mode: 0o600 });
    b = await fleet.addAgent({ licenseFile });
    await uploadSampleImage(c.admin, 'alpine-cloud');
    await uploadSampleImage(c.client(bToken), 'alpine-cloud');
  },
  180_000,
);

async function envState(id: string, state: string, token?: string, timeoutMs = 120_000) {
  return waitFor(
    async () => {
      const e = await json<Env>(c.call('GET', `/v1/envs/${id}`, undefined, token));
      return e.state === state ? e : undefined;
    },
    { what: `${id} ${state}`, timeoutMs, intervalMs: 300 },
  );
}

describe('organizations on a real fleet', () => {
  it("keeps organization B on its own host and away from the default organization's things", async () => {
    await c.call('POST', '/v1/envs', {
      id: 'env-a',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
    });
    await c.call(
      'POST',
      '/v1/envs',
      {
        id: 'env-b',
        ssh_keys: [sshKey()],
        vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
      },
      bToken,
    );
    const envA = await envState('env-a', 'active');
    const envB = await envState('env-b', 'active', bToken);
    expect(envA.vms[0]?.host_id).toBe(a.hostId);
    expect(envB.vms[0]?.host_id).toBe(b.hostId);
    const hostsB = await json<{ items: Host[] }>(c.call('GET', '/v1/hosts', undefined, bToken));
    expect(hostsB.items.map((h) => h.id)).toEqual([b.hostId]);
    for (const [method, path] of [
      ['GET', `/v1/hosts/${a.hostId}`],
      ['POST', `/v1/hosts/${a.hostId}/drain`],
      ['GET', '/v1/envs/env-a'],
      ['DELETE', '/v1/envs/env-a'],
      ['GET', '/v1/vms/env-a-0'],
      ['POST', '/v1/vms/env-a-0/stop'],
    ] as const) {
      expect(
        (
          await c.call(
            method,
            path,
            method === 'POST' && path.endsWith('drain') ? {} : undefined,
            bToken,
          )
        ).status,
        path,
      ).toBe(404);
    }
    expect((await c.call('GET', '/v1/envs', undefined, null)).status).toBe(401);
    const all = await json<{ items: Env[] }>(c.call('GET', '/v1/envs'));
    expect(all.items.map((e) => e.id).sort()).toEqual(['env-a', 'env-b']);
    await c.call('DELETE', '/v1/envs/env-b', undefined, bToken);
    await envState('env-b', 'deleted', bToken);
    expect(footprint(b.host())).toEqual(EMPTY_FOOTPRINT);
  }, 300_000);

  it('lets the reaper destroy an environment when its lifetime ends', async () => {
    await c.call('POST', '/v1/envs', {
      id: 'brief',
      lifetime: 60,
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
    });
    const env = await envState('brief', 'active');
    expect(Date.parse(env.expires_at) - Date.parse(env.created_at)).toBe(60_000);
    expect(asVmNames(footprint(a.host()).zones)).toContain('brief-0:running');
    await envState('brief', 'deleted', undefined, 150_000);
    expect(asVmNames(footprint(a.host()).zones)).not.toContain('brief-0:running');
    const metrics = await (await c.fetch('/metrics')).text();
    expect(metrics).toMatch(/apiary_reaper_actions_total\{action="expire"\} 1/);
  }, 300_000);
});
