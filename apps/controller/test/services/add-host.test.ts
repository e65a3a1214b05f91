import type { ConnectionTestResult, Env, Host } from '@apiary/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAgent } from '../helpers/fake-agent.js';
import { createHarness, type Harness, json, sshKey } from '../helpers/harness.js';
import { uploadImage } from '../helpers/images.js';

let h: Harness;
afterEach(async () => h?.close());

function placeAgent(addr: string, o: ConstructorParameters<typeof FakeAgent>[0]) {
  const agent = new FakeAgent(o);
  h.network.add(`http://${addr}`, agent);
  return agent;
}

async function addHost(body: Record<string, unknown>) {
  const res = await h.req('POST', '/api/hosts', body);
  return {
    status: res.status,
    body: await json<Host & { code: string; msg: string; details: ConnectionTestResult }>(res),
  };
}

// The fake agents speak plain HTTP (as an agent bound to loopback, or started with
// --insecure-http, does); a bare `10.0.0.2:9100` would mean HTTPS (tls-pinning and
// seed-examples system tests).
describe('operator add by address (seed 003 POST /api/hosts)', () => {
  it('adds an agent after a connection test and polls it like a heartbeat', async () => {
    h = await createHarness();
    const agent = placeAgent('10.0.0.2:9100', { hostId: 'host_added0000001', hostname: 'hv2' });
    const { status, body } = await addHost({ addr: 'http://10.0.0.2:9100', api_key: agent.key });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      id: 'host_added0000001',
      hostname: 'hv2',
      addr: 'http://10.0.0.2:9100',
      public_addr: '10.0.0.2',
      source: 'added',
      liveness: 'ready',
    });
    await h.core.poll();
    expect(agent.calls.some((c) => c.path === '/api/vms')).toBe(true);
    // Adding it again returns the same record.
    const again = await addHost({ addr: 'http://10.0.0.2:9100', api_key: agent.key });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe('host_added0000001');
  });

  it('answers clearly without a key: the agent wants a key', async () => {
    h = await createHarness();
    placeAgent('10.0.0.2:9100', { hostId: 'host_added0000002' });
    const { status, body } = await addHost({ addr: 'http://10.0.0.2:9100' });
    expect(status).toBe(412);
    expect(body.details.result).toBe('bad_key');
    expect(body.msg).toMatch(/requires an API key: pass api_key .* or bootstrap_token/);
  });

  it('returns a host that is already registered at that address when no key is given', async () => {
    h = await createHarness();
    const { agent } = await h.addAgent({ hostId: 'host_known0000001' });
    const addr = 'host-known0000001.test:9100';
    const { status, body } = await addHost({ addr });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'host_known0000001', source: 'registered' });
    // Same agent reached through another address with its key: still the same record.
    h.network.add('http://alias.test:9100', agent);
    const viaAlias = await addHost({ addr: 'http://alias.test:9100', api_key: agent.key });
    expect([viaAlias.status, viaAlias.body.id]).toEqual([200, 'host_known0000001']);
    expect((await json<{ total: number }>(await h.req('GET', '/v1/hosts'))).total).toBe(1);
  });

  it('reports a wrong key, a refused connection, a timeout and an incompatible API version', async () => {
    h = await createHarness({ config: { agentTimeoutMs: 300 } });
    placeAgent('10.0.0.2:9100', { hostId: 'host_added0000003' });
    const wrong = await addHost({ addr: 'http://10.0.0.2:9100', api_key: `wh_${'f'.repeat(32)}` });
    expect([wrong.status, wrong.body.details.result]).toEqual([412, 'bad_key']);
    expect(wrong.body.msg).toMatch(/refused the API key/);

    const refused = await addHost({
      addr: 'http://10.0.0.9:9100',
      api_key: `wh_${'f'.repeat(32)}`,
    });
    expect([refused.status, refused.body.details.result]).toEqual([502, 'refused']);
    expect(refused.body.msg).toMatch(/connection refused by http:\/\/10\.0\.0\.9:9100/);

    const slow = placeAgent('10.0.0.3:9100', { hostId: 'host_added0000004' });
    slow.hang = true;
    const timeout = await addHost({ addr: 'http://10.0.0.3:9100', api_key: slow.key });
    expect([timeout.status, timeout.body.details.result]).toEqual([504, 'timeout']);

    const old = placeAgent('10.0.0.4:9100', { hostId: 'host_added0000005', apiVersion: '2.3' });
    const incompatible = await addHost({ addr: 'http://10.0.0.4:9100', api_key: old.key });
    expect([incompatible.status, incompatible.body.details.result]).toEqual([
      412,
      'incompatible_api_version',
    ]);
    expect((await json<{ total: number }>(await h.req('GET', '/v1/hosts'))).total).toBe(0);

    const test = await json<ConnectionTestResult>(
      await h.req('POST', '/v1/hosts/test', { addr: 'http://10.0.0.2:9100' }),
    );
    expect(test).toMatchObject({ ok: false, result: 'bad_key' });
  });

  it('trades a bootstrap token for an agent key', async () => {
    h = await createHarness();
    placeAgent('10.0.0.5:9100', {
      hostId: 'host_boot00000001',
      claimToken: 'claim-token-0123456789',
    });
    const { status } = await addHost({
      addr: 'http://10.0.0.5:9100',
      bootstrap_token: 'claim-token-0123456789',
    });
    expect(status).toBe(201);
    const reused = await addHost({
      addr: 'http://10.0.0.5:9100',
      bootstrap_token: 'claim-token-0123456789',
    });
    expect(reused.status).toBe(412);
    expect(reused.body.msg).toMatch(/did not accept the bootstrap token/);
    const nobody = await addHost({
      addr: 'http://10.0.0.6:9100',
      bootstrap_token: 'claim-token-0123456789',
    });
    expect(nobody.status).toBe(503);
  });

  it('pushes the image to an added host, creates VMs there, and refuses removal while VMs exist', async () => {
    h = await createHarness();
    const agent = placeAgent('10.0.0.7:9100', { hostId: 'host_push00000001' });
    await addHost({ addr: 'http://10.0.0.7:9100', api_key: agent.key });
    const image = await uploadImage(h, 'img');
    await h.req('POST', '/v1/envs', {
      id: 'on-added',
      ssh_keys: [sshKey()],
      vms: [{ image: 'img' }],
    });
    await h.idle();
    expect((await json<Env>(await h.req('GET', '/v1/envs/on-added'))).state).toBe('active');
    expect(agent.images.has(image.digest)).toBe(true);
    const refused = await h.req('DELETE', '/api/hosts/host_push00000001');
    expect(refused.status).toBe(409);
    await h.req('DELETE', '/v1/envs/on-added');
    await h.idle();
    expect((await h.req('DELETE', '/api/hosts/host_push00000001')).status).toBe(200);
    expect((await h.req('GET', '/api/hosts/host_push00000001')).status).toBe(404);
  });

  it('marks an added host suspect when polls fail', async () => {
    h = await createHarness({ manualClock: true });
    const agent = placeAgent('10.0.0.8:9100', { hostId: 'host_poll00000001' });
    await addHost({ addr: 'http://10.0.0.8:9100', api_key: agent.key });
    agent.down = true;
    h.clock?.advance(3000);
    await h.core.poll();
    await h.core.sweep();
    expect((await json<Host>(await h.req('GET', '/v1/hosts/host_poll00000001'))).liveness).toBe(
      'suspect',
    );
    agent.down = false;
    await h.core.poll();
    expect((await json<Host>(await h.req('GET', '/v1/hosts/host_poll00000001'))).liveness).toBe(
      'ready',
    );
  });
});
