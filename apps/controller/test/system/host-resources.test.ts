import { runCommand } from '@apiary/illumos-sim';
import type {
  AuditEvent,
  Env,
  HostLink,
  Network,
  StorageDataset,
  StoragePool,
} from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';

/*
 * A host's links, networks and storage through the controller (issue 14), end to end: real
 * agents on two simulated hosts with a spare NIC each, what the controller asks made on the
 * hosts (read back with the hosts' own zfs and dladm), Apiary's own links and datasets kept,
 * and the hosts hidden from another organization and closed to members.
 */

let c: ControllerDaemon;
let agents: AgentDaemon[];
let memberToken: string;
let otherAdminToken: string;
const PASSWORD = 'a long password 123';

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;

async function login(username: string): Promise<string> {
  const res = await c.call('POST', '/v1/auth/login', { username, password: PASSWORD }, null);
  return (await json<{ token: string }>(res)).token;
}

async function user(username: string, role: 'member' | 'org_admin', orgId: string) {
  const res = await c.call('POST', '/v1/users', {
    username,
    password: PASSWORD,
    role,
    org_id: orgId,
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return login(username);
}

fleetForFile(
  {
    agents: 2,
    host: () => ({ links: ['e1000g0', 'e1000g1'] }),
    controllerArgs: ['--heartbeat-interval-ms', '1000'],
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    const host = await json<{ org_id: string }>(c.call('GET', `/v1/hosts/${agents[0]?.hostId}`));
    memberToken = await user('mia', 'member', host.org_id);
    const other = await json<{ id: string }>(c.call('POST', '/v1/orgs', { name: 'Other' }));
    otherAdminToken = await user('oscar', 'org_admin', other.id);
  },
);

/** What the simulated host says to `argv`, as its operator would see it. */
async function onHost(agent: AgentDaemon, argv: string[]) {
  return runCommand({ argv, root: agent.simDir });
}

describe('host resources through the controller', () => {
  it('creates a bridged network with a VLAN on both hosts and lists links and networks', async () => {
    for (const agent of agents) {
      const made = await c.call('POST', `/v1/hosts/${agent.hostId}/networks`, {
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g1',
        vlan: 12,
        subnet: '192.168.12.0/24',
        gateway: '192.168.12.1',
        range: '192.168.12.100-192.168.12.200',
      });
      expect(made.status, await made.clone().text()).toBe(201);
      expect(await json<Network>(made)).toMatchObject({
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g1',
        vlan: 12,
        addressing: 'static',
      });
      const networks = await json<{ items: Network[] }>(
        c.call('GET', `/v1/hosts/${agent.hostId}/networks`),
      );
      expect(networks.items.map((n) => n.name).sort()).toEqual(['lan', 'nat']);
      const links = await json<{ items: HostLink[] }>(
        c.call('GET', `/v1/hosts/${agent.hostId}/links`),
      );
      const byName = new Map(links.items.map((l) => [l.name, l]));
      expect(byName.get('e1000g1')).toMatchObject({
        class: 'phys',
        owner: 'host',
        used_by: ['network:lan'],
      });
      expect(byName.get('apiarystub0')).toMatchObject({ class: 'etherstub', owner: 'apiary' });
    }
    const audit = await json<{ items: AuditEvent[] }>(
      c.call('GET', '/v1/audit?resource=host&limit=200'),
    );
    const created = audit.items.filter((e) => e.action === 'createHostNetwork');
    expect(created.map((e) => e.resource.id).sort()).toEqual(agents.map((a) => a.hostId).sort());
  });

  it('places a VM on the bridged network: a static address from its range, a VNIC over the VLAN', async () => {
    await uploadSampleImage(c.admin, 'alpine-cloud');
    // The controller learns of the network from the hosts' next inventories: until then, refused.
    await waitFor(
      async () => {
        const res = await c.call('POST', '/v1/envs', {
          id: 'on-lan',
          ssh_keys: [sshKey()],
          vms: [{ image: 'alpine-cloud', cpu: 1, mem: 512, disk: 2048, networks: ['lan'] }],
        });
        return res.status === 202 ? true : undefined;
      },
      { what: 'the lan network to be known', timeoutMs: 60_000, intervalMs: 500 },
    );
    const env = await waitFor(
      async () => {
        const e = await json<Env>(c.call('GET', '/v1/envs/on-lan'));
        return e.state === 'active' || e.state === 'failed' ? e : undefined;
      },
      { what: 'on-lan to settle', timeoutMs: 180_000, intervalMs: 300 },
    );
    expect(env.state).toBe('active');
    const placed = env.vms[0];
    expect(placed?.nics).toEqual([
      { network: 'lan', ip: expect.stringMatching(/^192\.168\.12\.(1\d\d|200)$/) },
    ]);
    expect(placed?.ip).toBe(placed?.nics?.[0]?.ip);
    const host = agents.find((a) => a.hostId === placed?.host_id) as AgentDaemon;
    const vnics = await onHost(host, ['dladm', 'show-vnic', '-p', '-o', 'link,over,vid']);
    expect(vnics.stdout).toMatch(/^apiary\d+n0:e1000g1:12$/m);
    await c.call('DELETE', '/v1/envs/on-lan');
    await waitFor(
      async () => (await json<Env>(c.call('GET', '/v1/envs/on-lan'))).state === 'deleted',
      { what: 'on-lan deleted', timeoutMs: 120_000, intervalMs: 300 },
    );
  }, 300_000);

  it('creates, changes and destroys a dataset, as the host’s zfs shows', async () => {
    const agent = agents[0] as AgentDaemon;
    const base = `/v1/hosts/${agent.hostId}/storage/datasets`;
    const made = await c.call('POST', base, {
      name: 'rpool/scratch',
      properties: { compression: 'lz4' },
    });
    expect(made.status, await made.clone().text()).toBe(201);
    expect(await json<StorageDataset>(made)).toMatchObject({
      name: 'rpool/scratch',
      type: 'filesystem',
      owner: 'api',
    });
    const listed = await onHost(agent, ['zfs', 'list', '-H', '-o', 'name', 'rpool/scratch']);
    expect(listed).toMatchObject({ exitCode: 0, stdout: 'rpool/scratch\n' });

    const changed = await c.call('PATCH', `${base}/${encodeURIComponent('rpool/scratch')}`, {
      quota: 1024 ** 3,
    });
    expect(changed.status, await changed.clone().text()).toBe(200);
    expect((await json<StorageDataset>(changed)).quota).toBe(1024 ** 3);
    const quota = await onHost(agent, [
      'zfs',
      'get',
      '-Hp',
      '-o',
      'value',
      'quota',
      'rpool/scratch',
    ]);
    expect(quota.stdout).toBe(`${1024 ** 3}\n`);

    const ours = await json<{ items: StorageDataset[] }>(c.call('GET', `${base}?pool=rpool`));
    expect(ours.items.find((d) => d.name === 'rpool/scratch')?.owner).toBe('api');

    const gone = await c.call('DELETE', `${base}/${encodeURIComponent('rpool/scratch')}`);
    expect(gone.status, await gone.clone().text()).toBe(200);
    const after = await onHost(agent, ['zfs', 'list', '-H', '-o', 'name', 'rpool/scratch']);
    expect(after.exitCode).not.toBe(0);
    expect(after.stderr).toContain('dataset does not exist');
  });

  it('lists the pools with their vdev layout', async () => {
    const agent = agents[1] as AgentDaemon;
    const pools = await json<{ items: StoragePool[] }>(
      c.call('GET', `/v1/hosts/${agent.hostId}/storage/pools`),
    );
    expect(pools.items.map((p) => p.name)).toContain('rpool');
    expect(pools.items[0]?.vdevs.length).toBeGreaterThan(0);
  });

  it('refuses to delete Apiary’s own datasets and links, in the agent’s words', async () => {
    const agent = agents[0] as AgentDaemon;
    const datasets = await json<{ items: StorageDataset[] }>(
      c.call('GET', `/v1/hosts/${agent.hostId}/storage/datasets?pool=rpool`),
    );
    const apiary = datasets.items.find((d) => d.owner === 'apiary' && d.name !== 'rpool');
    expect(apiary, 'an Apiary dataset').toBeDefined();
    const name = apiary?.name as string;
    const dataset = await c.call(
      'DELETE',
      `/v1/hosts/${agent.hostId}/storage/datasets/${encodeURIComponent(name)}?recursive=true`,
    );
    expect(dataset.status).toBe(403);
    expect((await json<{ msg: string }>(dataset)).msg).toMatch(
      new RegExp(`^${name} is Apiary's and cannot be destroyed here: `),
    );
    expect((await onHost(agent, ['zfs', 'list', '-H', '-o', 'name', name])).exitCode).toBe(0);

    const link = await c.call('DELETE', `/v1/hosts/${agent.hostId}/links/apiarystub0`);
    expect(link.status).toBe(403);
    expect(await json(link)).toMatchObject({
      code: 'forbidden',
      msg: "apiarystub0 is Apiary's own link and cannot be deleted here",
    });
    const shown = await onHost(agent, ['dladm', 'show-link', '-p', '-o', 'link', 'apiarystub0']);
    expect(shown.stdout).toBe('apiarystub0\n');
  });

  it('hides the hosts from another organization (404) and closes them to members (403)', async () => {
    const agent = agents[0] as AgentDaemon;
    for (const [method, path] of [
      ['GET', 'links'],
      ['GET', 'networks'],
      ['GET', 'storage/datasets'],
      ['DELETE', 'networks/lan'],
    ] as const) {
      const url = `/v1/hosts/${agent.hostId}/${path}`;
      expect((await c.call(method, url, undefined, otherAdminToken)).status, url).toBe(404);
      expect((await c.call(method, url, undefined, memberToken)).status, url).toBe(403);
    }
    // Nothing was deleted by either.
    const networks = await json<{ items: Network[] }>(
      c.call('GET', `/v1/hosts/${agent.hostId}/networks`),
    );
    expect(networks.items.map((n) => n.name)).toContain('lan');
  });
});
