import type { Env, Vm } from '@apiary/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from '../src/fleet.js';
import { connectionRefused, httpGet, newClientKey, sshExec } from '../src/guest-clients.js';
import { uploadSampleImage } from '../src/sample-image.js';
import { waitFor } from '../src/wait-for.js';

/*
 * The dev fleet's promise, end to end: an environment created through the controller with a
 * freshly generated key can be reached at its host's own address, on the forwarded port the
 * controller shows, with that key and no other; other exposed ports answer HTTP; a VM with
 * deny_outgoing still answers; and a stopped VM's forwards stop listening.
 */
const key = newClientKey();
let fleet: Fleet;
let env: Env;

async function getEnv(): Promise<Env> {
  return (await (await fleet.controller.call('GET', '/v1/envs/reach')).json()) as Env;
}

beforeAll(async () => {
  // A test fleet's hosts get a random series of their own (127.X.Y.2, ...): fleets running side
  // by side never hold each other's ports.
  fleet = await Fleet.start({ agents: 1 });
  await uploadSampleImage(fleet.admin, 'alpine-cloud');
  const vm = { image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240, ports: [80] };
  const res = await fleet.controller.call('POST', '/v1/envs', {
    id: 'reach',
    ssh_keys: [key.publicKey],
    vms: [vm, { ...vm, deny_outgoing: true }],
  });
  expect(res.status, await res.clone().text()).toBe(202);
  env = await waitFor(async () => ((e) => (e.state === 'active' ? e : undefined))(await getEnv()), {
    what: 'the environment to be active',
    timeoutMs: 120_000,
    intervalMs: 250,
  });
}, 180_000);

afterAll(() => fleet?.destroy());

const vmAt = (i: number) => env.vms[i] as Vm;
const target = (vm: Vm, privateKey = key.privateKey) => ({
  host: vm.host_addr as string,
  port: vm.port_map['22'] as number,
  privateKey,
});

/**
 * The guest's hostname is the one the agent gave it in cloud-init: the zone's name, the VM's
 * internal id (`reach-<8 base32>-N` for the controller's `reach-N`).
 */
function zoneOf(vm: Vm): string {
  const [env, n] = [
    vm.id.slice(0, vm.id.lastIndexOf('-')),
    vm.id.slice(vm.id.lastIndexOf('-') + 1),
  ];
  const pattern = new RegExp(`^${env}-[a-z2-7]{8}-${n}$`);
  const zone = fleet.agents[0]?.host().zones.find((z) => pattern.test(z.name));
  if (!zone) throw new Error(`no zone for ${vm.id}`);
  return zone.name;
}

describe('reaching VMs of the dev fleet', () => {
  it("shows the host's own address for the forwards", () => {
    expect(vmAt(0).host_addr).toMatch(/^127\.\d+\.\d+\.2$/);
    expect(vmAt(0).host_addr).toBe(fleet.agents[0]?.publicAddress);
    expect(vmAt(0).port_map['22']).toEqual(expect.any(Number));
  });

  it('runs hostname over SSH with the key the environment was created with', async () => {
    const vm = vmAt(0);
    const result = await sshExec(target(vm), 'hostname');
    expect(result).toEqual({ stdout: `${zoneOf(vm)}\n`, stderr: '', code: 0 });
    // the system the image carries, cloned onto the VM's disk
    expect((await sshExec(target(vm), 'cat /etc/os-release')).stdout).toContain('ID=alpine');
  });

  it('refuses a key the environment was not given', async () => {
    await expect(sshExec(target(vmAt(0), newClientKey().privateKey), 'hostname')).rejects.toThrow(
      /All configured authentication methods failed/,
    );
  });

  it('answers HTTP on another forwarded port', async () => {
    const vm = vmAt(0);
    expect(await httpGet(vm.host_addr as string, vm.port_map['80'] as number)).toEqual({
      status: 200,
      body: `${zoneOf(vm)}\n`,
    });
  });

  it('answers on a VM with deny_outgoing, over SSH and HTTP', async () => {
    const vm = vmAt(1);
    expect(vm.deny_outgoing).toBe(true);
    expect((await sshExec(target(vm), 'hostname')).stdout).toBe(`${zoneOf(vm)}\n`);
    expect((await httpGet(vm.host_addr as string, vm.port_map['80'] as number)).status).toBe(200);
  });

  it("stops listening on a VM's forwards once it stops", async () => {
    const vm = vmAt(0);
    const res = await fleet.controller.call('POST', `/v1/vms/${vm.id}/stop`);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    await waitFor(async () => (await getEnv()).vms[0]?.state === 'stopped', {
      what: 'the VM to stop',
      timeoutMs: 60_000,
    });
    expect(await connectionRefused(vm.host_addr as string, vm.port_map['22'] as number)).toBe(true);
    expect(await connectionRefused(vm.host_addr as string, vm.port_map['80'] as number)).toBe(true);
    // the other VM is untouched
    expect(
      await connectionRefused(vmAt(1).host_addr as string, vmAt(1).port_map['22'] as number),
    ).toBe(false);
  }, 90_000);
});
