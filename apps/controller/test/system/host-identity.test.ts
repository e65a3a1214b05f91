import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION, type Host } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';

/*
 * Host identity with a real agent: it registers again at every start proving itself with its
 * saved credential, takes a rotated credential from a heartbeat answer, and after a revocation
 * comes back only through an operator's reset. The license key alone takes nothing over.
 */

let c: ControllerDaemon;
let agent: AgentDaemon;

fleetForFile(
  { agents: 1, controllerArgs: ['--heartbeat-interval-ms', '300', '--heartbeat-ttl-ms', '3000'] },
  (fleet) => {
    ({ controller: c } = fleet);
    agent = fleet.agents[0] as AgentDaemon;
  },
);

const host = async () => (await (await c.call('GET', `/v1/hosts/${agent.hostId}`)).json()) as Host;
const savedCredential = () =>
  (
    JSON.parse(readFileSync(join(agent.dataDir, 'controller-credential.json'), 'utf8')) as {
      host_credential: string;
    }
  ).host_credential;
const registrations = () => agent.process.output.split('registered with controller').length - 1;

describe('host identity with a real agent', () => {
  it('refuses the license key alone for the host id the agent registered', async () => {
    const licenseKey = readFileSync(c.licenseFile, 'utf8').trim();
    const res = await c.fetch('/v1/internal/hosts/register', {
      method: 'POST',
      headers: { authorization: `Bearer ${licenseKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        host_id: agent.hostId,
        hostname: 'impostor',
        addr: 'http://127.0.0.1:9',
        agent_version: '0.1.0',
        api_version: API_VERSION,
        engines: ['bhyve'],
        storage: 'zvol',
        agent_api_key: `wh_${'f'.repeat(32)}`,
        inventory: {
          generation: 999,
          resources: { total: { cpu: 1, mem: 1, disk: 1 }, used: { cpu: 0, mem: 0, disk: 0 } },
          images: [],
          vms: [],
        },
      }),
    });
    expect(res.status).toBe(401);
    expect((await host()).hostname).not.toBe('impostor');
  });

  it('registers again after a restart with the credential it kept', async () => {
    const credential = savedCredential();
    const before = registrations();
    await agent.restart();
    await waitFor(() => registrations() > before, { what: 'registered again', timeoutMs: 30_000 });
    expect(savedCredential()).toBe(credential);
    expect(await host()).toMatchObject({ liveness: 'ready', credential: { state: 'active' } });
  }, 120_000);

  it('takes a rotated credential from a heartbeat answer', async () => {
    const old = savedCredential();
    const res = await c.call('POST', `/v1/hosts/${agent.hostId}/rotate-credential`);
    expect(res.status).toBe(202);
    await waitFor(async () => (await host()).credential.state === 'active', {
      what: 'rotation complete',
      timeoutMs: 30_000,
    });
    expect(savedCredential()).not.toBe(old);
    const since = Date.parse((await host()).last_heartbeat_at ?? '');
    await waitFor(async () => Date.parse((await host()).last_heartbeat_at ?? '') > since, {
      what: 'heartbeats with the new credential',
      timeoutMs: 30_000,
    });
  }, 120_000);

  it('is locked out by a revocation and comes back after an operator reset', async () => {
    const revoked = await c.call('POST', `/v1/hosts/${agent.hostId}/revoke-credential`);
    expect(revoked.status).toBe(200);
    await waitFor(() => agent.process.output.includes('controller refused this host'), {
      what: 'agent refused',
      timeoutMs: 30_000,
    });
    expect((await host()).credential.state).toBe('revoked');
    const before = registrations();
    const reset = await c.call('POST', `/v1/hosts/${agent.hostId}/reset-credential`, {
      expires_in: 600,
    });
    expect(reset.status).toBe(200);
    await waitFor(() => registrations() > before, {
      what: 'registered after reset',
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await host()).liveness === 'ready', {
      what: 'host ready',
      timeoutMs: 30_000,
    });
    expect((await host()).credential.state).toBe('active');
  }, 180_000);
});
