import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '@apiary/illumos-sim';
import type { Vm } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { agentRecordsMatchBooks, newZone } from './migration-hosts.js';
import { vmChangeClient } from './vm-change-client.js';

/*
 * Moving and cloning a VM on every kind of network (issue 15): a bridged VLAN network and an
 * environment's private VXLAN overlay. Each NIC is made on the new host with the MAC it had
 * (a clone's with its own), over the same VLAN or overlay, and nothing of it stays on the old
 * host; the overlay's mapping follows the VM. Read back with the hosts' own dladm and zonecfg.
 */

let c: ControllerDaemon;
let agents: AgentDaemon[];
const ADDRESS = ['192.168.1.21', '192.168.1.22'];

fleetForFile(
  {
    agents: 2,
    controllerArgs: ['--heartbeat-interval-ms', '1000'],
    host: (i) => ({
      cpus: 8,
      ram: '16G',
      address: `${ADDRESS[i - 1]}/24`,
      links: ['e1000g0', 'e1000g1'],
    }),
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const api = vmChangeClient(() => c);
/** Where the overlay's varpd `files` mapping sends each MAC: the underlay address of its host. */
const underlayOf = (a: AgentDaemon, vni: number, mac: string) =>
  (
    JSON.parse(
      readFileSync(join(a.simDir, 'root', 'var', 'apiary', 'overlays', `vni${vni}.json`), 'utf8'),
    ) as Record<string, { ip: string }>
  )[mac]?.ip;
const addressOf = (a: AgentDaemon) => ADDRESS[agents.indexOf(a)];
const vmSpec = { image: 'alpine-cloud', cpu: 1, mem: 512, disk: 1024 };
const agentOf = (hostId: string | null) => agents.find((a) => a.hostId === hostId) as AgentDaemon;
const otherThan = (a: AgentDaemon) => agents.find((x) => x !== a) as AgentDaemon;
const zonesNow = () => new Set(agents.flatMap((a) => a.host().zones.map((z) => z.name)));

interface Vnic {
  link: string;
  over: string;
  vid: string;
  mac: string;
}

/** `dladm show-vnic` on the simulated host, parsed (`-p` escapes the MAC's colons). */
async function vnicsOn(a: AgentDaemon): Promise<Vnic[]> {
  const out = await runCommand({
    argv: ['dladm', 'show-vnic', '-p', '-o', 'link,over,vid,macaddress'],
    root: a.simDir,
  });
  expect(out.exitCode, out.stderr).toBe(0);
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [link, over, vid, mac] = line.split(/(?<!\\):/) as [string, string, string, string];
      return { link, over, vid, mac: mac.replaceAll('\\:', ':') };
    });
}

/** The VNICs a zone's configuration names (`zonecfg info net`: its `physical` lines). */
async function zoneNics(a: AgentDaemon, zone: string): Promise<string[]> {
  const out = await runCommand({ argv: ['zonecfg', '-z', zone, 'info', 'net'], root: a.simDir });
  expect(out.exitCode, out.stderr).toBe(0);
  return [...out.stdout.matchAll(/physical: (\S+)/g)].map((m) => m[1] as string).sort();
}

/** A zone's NICs as the host has them: each VNIC its configuration names, as dladm shows it. */
async function nicsOfZone(a: AgentDaemon, zone: string) {
  const names = await zoneNics(a, zone);
  const vnics = await vnicsOn(a);
  return names.map((n) => {
    const v = vnics.find((x) => x.link === n);
    expect(v, `VNIC ${n} of ${zone} on ${a.hostId}`).toBeDefined();
    return v as Vnic;
  });
}

async function moved(name: string, to?: string): Promise<Vm> {
  const { operation } = await api.accept('POST', `/v1/vms/${name}/migrate`, to ? { to } : {});
  const op = await api.ended(operation.id);
  expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
  return api.vm(name);
}

async function cloned(name: string): Promise<Vm> {
  const snap = await api.accept('POST', `/v1/vms/${name}/snapshots`, { name: 's1' });
  expect((await api.ended(snap.operation.id)).state).toBe('succeeded');
  const { operation } = await api.accept('POST', `/v1/vms/${name}/snapshots/s1/clone`, {});
  const op = await api.ended(operation.id);
  expect(op.state, JSON.stringify(op.error)).toBe('succeeded');
  return api.vm(op.result?.vm_id as string);
}

async function gone(id: string) {
  await c.call('DELETE', `/v1/envs/${id}`);
  expect((await api.envSettled(id)).state).toBe('deleted');
}

describe('moving and cloning VMs on every kind of network', () => {
  it('carries every NIC of a VM on a bridged VLAN network, MACs kept; a clone gets its own', async () => {
    for (const a of agents) {
      const made = await c.call('POST', `/v1/hosts/${a.hostId}/networks`, {
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g1',
        vlan: 12,
        subnet: '192.168.12.0/24',
        gateway: '192.168.12.1',
        range: '192.168.12.100-192.168.12.200',
      });
      expect(made.status, await made.clone().text()).toBe(201);
    }
    const zones = zonesNow();
    // The controller learns of the network from the hosts' next inventories.
    await waitFor(
      async () => {
        const res = await c.call('POST', '/v1/envs', {
          id: 'br',
          ssh_keys: [sshKey()],
          vms: [{ ...vmSpec, networks: ['nat', 'lan'] }],
        });
        return res.status === 202 ? true : undefined;
      },
      { what: 'the lan network to be known', timeoutMs: 60_000, intervalMs: 500 },
    );
    const env = await api.envSettled('br');
    expect(env.state).toBe('active');
    const a = agentOf(env.vms[0]?.host_id ?? null);
    const b = otherThan(a);
    const zone = newZone(a, zones);
    const before = await nicsOfZone(a, zone);
    expect(before.map((n) => [n.over, n.vid])).toEqual([
      ['apiarystub0', '0'],
      ['e1000g1', '12'],
    ]);
    const lanIp = (await api.vm('br-0')).nics?.find((n) => n.network === 'lan')?.ip;
    expect(lanIp).toMatch(/^192\.168\.12\./);

    const vm = await moved('br-0');
    expect([vm.host_id, vm.state]).toEqual([b.hostId, 'running']);
    // Every NIC on the new host: same networks, same VLAN, same MACs; the same LAN address.
    const after = await nicsOfZone(b, zone);
    expect(after.map((n) => [n.over, n.vid, n.mac])).toEqual(
      before.map((n) => [n.over, n.vid, n.mac]),
    );
    expect(vm.nics?.find((n) => n.network === 'lan')?.ip).toBe(lanIp);
    // Nothing of it on the old host: no zone, no VNIC with one of its MACs.
    expect(a.host().zones.some((z) => z.name === zone)).toBe(false);
    const macs = new Set(before.map((n) => n.mac));
    expect((await vnicsOn(a)).filter((v) => macs.has(v.mac))).toEqual([]);
    await agentRecordsMatchBooks(c, a.hostId);

    // A clone (on the VM's host now) has NICs of its own on the same networks.
    const zonesBeforeClone = zonesNow();
    const clone = await cloned('br-0');
    expect([clone.host_id, clone.state]).toEqual([b.hostId, 'running']);
    const cloneNics = await nicsOfZone(b, newZone(b, zonesBeforeClone));
    expect(cloneNics.map((n) => [n.over, n.vid])).toEqual([
      ['apiarystub0', '0'],
      ['e1000g1', '12'],
    ]);
    for (const n of cloneNics) expect(macs.has(n.mac)).toBe(false);
    const cloneLan = clone.nics?.find((n) => n.network === 'lan')?.ip;
    expect(cloneLan).toMatch(/^192\.168\.12\./);
    expect(cloneLan).not.toBe(lanIp);

    await gone('br');
    for (const x of agents)
      expect((await vnicsOn(x)).filter((v) => v.over === 'e1000g1')).toEqual([]);
  }, 600_000);

  it('moves a VM on its environment’s private network: its NIC, the overlay and the mapping follow', async () => {
    const zones = zonesNow();
    const res = await c.call('POST', '/v1/envs', {
      id: 'pv',
      ssh_keys: [sshKey()],
      vms: [vmSpec],
      private_network: true,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    const env = await api.envSettled('pv');
    expect(env.state).toBe('active');
    const vni = env.private_network?.vni as number;
    const overlay = `apiaryov${vni}0`;
    const a = agentOf(env.vms[0]?.host_id ?? null);
    const b = otherThan(a);
    const zone = newZone(a, zones);
    const before = await nicsOfZone(a, zone);
    const onOverlay = before.find((n) => n.over === overlay) as Vnic;
    expect(onOverlay).toBeDefined();
    const overlayOf = (x: AgentDaemon) => x.host().links.find((l) => l.name === overlay);
    expect(overlayOf(b)).toBeUndefined();

    const vm = await moved('pv-0');
    expect(vm.host_id).toBe(b.hostId);
    const after = await nicsOfZone(b, zone);
    expect(after.map((n) => [n.over, n.mac])).toEqual(before.map((n) => [n.over, n.mac]));
    expect(vm.nics?.find((n) => n.network === 'private')?.ip).toBe('10.214.0.10');
    // The overlay is on the new host, mapping the VM's MAC to it, and gone from the old one
    // (no VM of the environment is left there), with nothing of the VM.
    await waitFor(async () => (overlayOf(a) === undefined ? true : undefined), {
      what: 'the old host to lose the overlay',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(overlayOf(b)?.overlay).toMatchObject({ vnetid: vni });
    expect(overlayOf(b)?.overlay?.mapping?.map((e) => e.mac)).toEqual([onOverlay.mac]);
    expect(underlayOf(b, vni, onOverlay.mac)).toBe(addressOf(b));
    expect(a.host().zones.some((z) => z.name === zone)).toBe(false);
    expect((await vnicsOn(a)).filter((v) => v.mac === onOverlay.mac)).toEqual([]);

    // And back: the old host takes the overlay again, the new one loses it.
    await moved('pv-0', a.hostId);
    expect((await nicsOfZone(a, zone)).map((n) => [n.over, n.mac])).toEqual(
      before.map((n) => [n.over, n.mac]),
    );
    expect(b.host().zones.some((z) => z.name === zone)).toBe(false);
    await waitFor(async () => (overlayOf(b) === undefined ? true : undefined), {
      what: 'the host left to lose the overlay',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    expect(underlayOf(a, vni, onOverlay.mac)).toBe(addressOf(a));

    // A clone: a new address and the MAC derived from it, mapped on the overlay too.
    const zonesBeforeClone = zonesNow();
    const clone = await cloned('pv-0');
    expect(clone.host_id).toBe(a.hostId);
    expect(clone.nics?.find((n) => n.network === 'private')?.ip).toBe('10.214.0.11');
    const cloneNic = (await nicsOfZone(a, newZone(a, zonesBeforeClone))).find(
      (n) => n.over === overlay,
    ) as Vnic;
    expect(cloneNic).toBeDefined();
    expect(cloneNic.mac).not.toBe(onOverlay.mac);
    expect(
      overlayOf(a)
        ?.overlay?.mapping?.map((e) => e.mac)
        .sort(),
    ).toEqual([onOverlay.mac, cloneNic.mac].sort());
    expect(underlayOf(a, vni, cloneNic.mac)).toBe(addressOf(a));

    await gone('pv');
    for (const x of agents) expect(overlayOf(x)).toBeUndefined();
  }, 600_000);
});
