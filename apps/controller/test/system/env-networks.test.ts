import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '@apiary/protocol';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage, waitFor } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';

/*
 * Networks through the controller (issue 14), on two simulated hosts with real agents:
 * placement honours the networks a VM asks for, and an environment's private network spans
 * the hosts its VMs land on: one VXLAN overlay per host, the same files mapping on each, and
 * nothing shared with another environment's.
 */

let c: ControllerDaemon;
let agents: AgentDaemon[];
const ADDRESS = ['192.168.1.11', '192.168.1.12'];

fleetForFile(
  {
    agents: 2,
    controllerArgs: ['--heartbeat-interval-ms', '1000'],
    host: (i) => ({ cpus: 8, ram: '16G', address: `${ADDRESS[i - 1]}/24` }),
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const json = async <T>(res: Response | Promise<Response>) => (await (await res).json()) as T;
const vm = { image: 'alpine-cloud', cpu: 1, mem: 512, disk: 2048 };

async function settled(id: string): Promise<Env> {
  return waitFor(
    async () => {
      const e = await json<Env>(c.call('GET', `/v1/envs/${id}`));
      return ['active', 'failed', 'degraded', 'deleted'].includes(e.state) ? e : undefined;
    },
    { what: `${id} to settle`, timeoutMs: 180_000, intervalMs: 300 },
  );
}

async function deleteEnv(id: string) {
  await c.call('DELETE', `/v1/envs/${id}`);
  expect((await settled(id)).state).toBe('deleted');
}

const hostIndex = (hostId: string | null) => agents.findIndex((a) => a.hostId === hostId);
const overlayLink = (a: AgentDaemon, vni: number) =>
  a.host().links.find((l) => l.name === `apiaryov${vni}0`);
const mappingPath = (a: AgentDaemon, vni: number) =>
  join(a.simDir, 'root', 'var', 'apiary', 'overlays', `vni${vni}.json`);
const mappingOf = (a: AgentDaemon, vni: number) =>
  JSON.parse(readFileSync(mappingPath(a, vni), 'utf8')) as Record<
    string,
    { ip: string; port: number; arp: string }
  >;

describe('networks through the controller', () => {
  it('places a VM asking for a network on the host that has it, and refuses one nobody has', async () => {
    const first = agents[0] as AgentDaemon;
    const key = await first.createKey('admin');
    const made = await first.fetch('/api/networks', {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'lab', kind: 'private', subnet: '172.16.9.0/24' }),
    });
    expect(made.status).toBe(201);
    // The controller learns it from the next heartbeat's inventory: until then, refused.
    const res = await waitFor(
      async () => {
        const r = await c.call('POST', '/v1/envs', {
          id: 'on-lab',
          ssh_keys: [sshKey()],
          vms: [{ ...vm, networks: ['nat', 'lab'] }],
        });
        return r.status === 202 ? r : undefined;
      },
      { what: 'the lab network to be known', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect((await json<Env>(res)).vms[0]?.host_id).toBe(first.hostId);
    const env = await settled('on-lab');
    expect(env.state).toBe('active');
    expect(env.vms[0]?.nics).toEqual([
      { network: 'nat', ip: expect.stringMatching(/^10\.213\./) },
      { network: 'lab', ip: '172.16.9.1' },
    ]);

    const refused = await c.call('POST', '/v1/envs', {
      id: 'nowhere',
      ssh_keys: [sshKey()],
      vms: [{ ...vm, networks: ['nat', 'dmz'] }],
    });
    expect(refused.status).toBe(409);
    const body = await json<{ code: string; details: { hosts: Array<{ reasons: string[] }> } }>(
      refused,
    );
    expect(body.code).toBe('insufficient_capacity');
    expect(body.details.hosts.flatMap((h) => h.reasons).sort()).toEqual([
      'host sim-host-1 has no network dmz',
      'host sim-host-2 has no network dmz',
    ]);
    await deleteEnv('on-lab');
  }, 300_000);

  it("gives an environment one private network across its hosts, apart from another environment's", async () => {
    const res = await c.call('POST', '/v1/envs', {
      id: 'blue',
      ssh_keys: [sshKey()],
      vms: [vm, vm, vm],
      private_network: true,
    });
    expect(res.status).toBe(202);
    const blue = await settled('blue');
    expect(blue.state).toBe('active');
    const vni = blue.private_network?.vni as number;
    expect(blue.private_network?.subnet).toBe('10.214.0.0/24');
    expect(new Set(blue.vms.map((v) => v.host_id)).size).toBe(2);
    const privateIps = blue.vms.map((v) => v.nics?.find((n) => n.network === 'private')?.ip);
    expect(privateIps).toEqual(['10.214.0.10', '10.214.0.11', '10.214.0.12']);

    // Every host has the overlay, listening on its own address, with the same whole mapping.
    const expected = blue.vms.map((v, i) => ({
      ip: ADDRESS[hostIndex(v.host_id)],
      port: 4789,
      arp: privateIps[i],
    }));
    for (const [i, a] of agents.entries()) {
      const link = overlayLink(a, vni);
      expect(link?.overlay).toMatchObject({
        encap: 'vxlan',
        search: 'files',
        vnetid: vni,
        props: { 'vxlan/listen_ip': ADDRESS[i] },
      });
      const mapping = mappingOf(a, vni);
      expect(Object.values(mapping).sort((x, y) => x.arp.localeCompare(y.arp))).toEqual(expected);
      // varpd read it (at creation, or at the restart that followed a change).
      expect(link?.overlay?.mapping?.map((e) => e.mac).sort()).toEqual(Object.keys(mapping).sort());
      // Each VM of the host has a NIC over the overlay with the MAC its entry names.
      const onHost = a.host().links.filter((l) => l.over === `apiaryov${vni}0`);
      expect(onHost.length).toBe(blue.vms.filter((v) => v.host_id === a.hostId).length);
      for (const nic of onHost) expect(Object.keys(mapping)).toContain(nic.mac);
    }

    const green = await settled(
      (
        await json<Env>(
          c.call('POST', '/v1/envs', {
            id: 'green',
            ssh_keys: [sshKey()],
            vms: [vm, vm],
            private_network: true,
          }),
        )
      ).id,
    );
    expect(green.state).toBe('active');
    const greenVni = green.private_network?.vni as number;
    expect(greenVni).not.toBe(vni);
    const blueMacs = new Set(agents.flatMap((a) => Object.keys(mappingOf(a, vni))));
    for (const a of agents) {
      if (!green.vms.some((v) => v.host_id === a.hostId)) continue;
      expect(overlayLink(a, greenVni)?.overlay?.vnetid).toBe(greenVni);
      expect(mappingPath(a, greenVni)).not.toBe(mappingPath(a, vni));
      const greenMapping = mappingOf(a, greenVni);
      expect(Object.keys(greenMapping)).toHaveLength(2);
      for (const mac of Object.keys(greenMapping)) expect(blueMacs.has(mac)).toBe(false);
    }

    // Deleting an environment removes its overlay from every host and leaves the other's.
    await deleteEnv('blue');
    for (const a of agents) {
      expect(overlayLink(a, vni)).toBeUndefined();
      expect(existsSync(mappingPath(a, vni))).toBe(false);
    }
    expect(agents.some((a) => overlayLink(a, greenVni))).toBe(true);
    await deleteEnv('green');
    for (const a of agents) {
      expect(a.host().links.filter((l) => l.class === 'overlay')).toEqual([]);
      expect(existsSync(mappingPath(a, greenVni))).toBe(false);
    }
  }, 300_000);
});
