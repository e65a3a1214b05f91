import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentDaemon, ControllerDaemon } from '@apiary/testkit';
import { sshKey, uploadSampleImage } from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { vmChangeClient } from './vm-change-client.js';

/*
 * An environment's private network (issue 14) follows a VM that moves (issue 15): on two
 * simulated hosts with real agents, the overlay's mapping is brought in step after the switch.
 */
let c: ControllerDaemon;
let agents: AgentDaemon[];
const ADDRESS = ['192.168.1.21', '192.168.1.22'];

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

const api = vmChangeClient(() => c);
const vm = { image: 'alpine-cloud', cpu: 1, mem: 512, disk: 1024 };
const overlayLink = (a: AgentDaemon, vni: number) =>
  a.host().links.find((l) => l.name === `apiaryov${vni}0`);
const mappingPath = (a: AgentDaemon, vni: number) =>
  join(a.simDir, 'root', 'var', 'apiary', 'overlays', `vni${vni}.json`);
const mappingOf = (a: AgentDaemon, vni: number) =>
  JSON.parse(readFileSync(mappingPath(a, vni), 'utf8')) as Record<
    string,
    { ip: string; port: number; arp: string }
  >;

describe('moving a VM of an environment with a private network', () => {
  it('keeps its private address; the overlay mapping follows it and the old host drops it', async () => {
    const res = await c.call('POST', '/v1/envs', {
      id: 'pn',
      ssh_keys: [sshKey()],
      vms: [vm, vm],
      private_network: true,
    });
    expect(res.status).toBe(202);
    const env = await api.envSettled('pn');
    expect(env.state).toBe('active');
    const vni = env.private_network?.vni as number;
    // Spread: one VM on each host.
    expect(new Set(env.vms.map((v) => v.host_id)).size).toBe(2);
    const moving = env.vms[0];
    const from = agents.find((a) => a.hostId === moving?.host_id) as AgentDaemon;
    const to = agents.find((a) => a !== from) as AgentDaemon;
    const privateIp = moving?.nics?.find((n) => n.network === 'private')?.ip;
    expect(privateIp).toBe('10.214.0.10');

    await api.change('POST', `/v1/vms/${moving?.id}/migrate`, { to: to.hostId });

    const after = await api.vm(moving?.id ?? '');
    expect(after.host_id).toBe(to.hostId);
    expect(after.nics?.find((n) => n.network === 'private')?.ip).toBe(privateIp);
    // The old host has no VM of the environment left: its overlay and mapping are gone.
    expect(overlayLink(from, vni)).toBeUndefined();
    expect(existsSync(mappingPath(from, vni))).toBe(false);
    // The target maps both VMs' addresses to itself, the moved one under its old MAC.
    const mapping = mappingOf(to, vni);
    const toAddr = ADDRESS[agents.indexOf(to)];
    expect(Object.values(mapping).sort((x, y) => x.arp.localeCompare(y.arp))).toEqual([
      { ip: toAddr, port: 4789, arp: '10.214.0.10' },
      { ip: toAddr, port: 4789, arp: '10.214.0.11' },
    ]);
  }, 300_000);
});
