import type { Image, VmSnapshot } from '@apiary/protocol';
import {
  type AgentDaemon,
  type ControllerDaemon,
  sshKey,
  uploadSampleImage,
  waitFor,
} from '@apiary/testkit';
import { describe, expect, it } from 'vitest';
import { fleetForFile } from './file-fleet.js';
import { vmChangeClient } from './vm-change-client.js';

/*
 * Changing VMs end to end (issue 13): a controller and two agents on simulated hosts. Every
 * change goes through `/v1`, runs as a controller saga around the agent's operation, and ends
 * recorded on the VM row and in the host's reservation.
 */
let c: ControllerDaemon;
let agents: AgentDaemon[];

fleetForFile(
  {
    agents: 2,
    controllerArgs: ['--heartbeat-interval-ms', '1000'],
    host: () => ({ cpus: 8, ram: '16G' }),
  },
  async (fleet) => {
    ({ controller: c, agents } = fleet);
    await uploadSampleImage(c.admin, 'alpine-cloud');
  },
);

const api = vmChangeClient(() => c);
const V = '/v1/vms/chg-0';

describe('changing a VM through the controller', () => {
  it('resizes, adds and removes disks, snapshots, rolls back, clones, publishes and takes an ISO', async () => {
    const created = await c.call('POST', '/v1/envs', {
      id: 'chg',
      ssh_keys: [sshKey()],
      vms: [{ image: 'alpine-cloud', cpu: 1, mem: 1024, disk: 10240 }],
    });
    expect(created.status).toBe(202);
    const env = await api.envSettled('chg');
    expect(env.state).toBe('active');
    const hostId = env.vms[0]?.host_id ?? null;
    const reservedBefore = (await api.host(hostId)).capacity.reserved;

    // A stopped VM changes at once; the host's reservation follows.
    await c.call('POST', `${V}/stop`);
    await api.vmIn('chg-0', 'stopped');
    await api.change('PATCH', V, { cpu: 2, mem: 2048 });
    let vm = await api.vm('chg-0');
    expect([vm.cpu, vm.mem, vm.state]).toEqual([2, 2048, 'stopped']);
    await api.reservedSettles(hostId, {
      ...reservedBefore,
      cpu: reservedBefore.cpu + 1,
      mem: reservedBefore.mem + 1024,
    });

    // A running VM gets it at its next start: pending until a restart applies it.
    await c.call('POST', `${V}/start`);
    await api.vmIn('chg-0', 'running');
    await api.change('PATCH', V, { mem: 3072 });
    vm = await api.vm('chg-0');
    expect(vm.mem).toBe(3072);
    expect(vm.pending_changes).toMatchObject({ mem: 3072 });
    // A plain restart applies what was pending.
    await c.call('POST', `${V}/restart`);
    await waitFor(
      async () => {
        const v = await api.vm('chg-0');
        return v.state === 'running' && v.pending_changes === null ? v : undefined;
      },
      { what: 'the restart to apply the pending change', timeoutMs: 120_000 },
    );
    await api.change('PATCH', V, { cpu: 3 });
    expect((await api.vm('chg-0')).pending_changes).toMatchObject({ cpu: 3 });
    await api.change('PATCH', `${V}?restart=true`, { deny_outgoing: true });
    vm = await api.vm('chg-0');
    expect([vm.cpu, vm.mem, vm.state, vm.pending_changes]).toEqual([3, 3072, 'running', null]);

    // Refusals: a shrink is a 400, more than the host has is a 409 naming the resource.
    const shrink = await api.refused('PATCH', V, { disk: 2048 });
    expect([shrink.status, shrink.msg]).toEqual([400, expect.stringContaining('only grows')]);
    const tooBig = await api.refused('PATCH', V, { mem: 65536 });
    expect(tooBig.status).toBe(409);
    expect(tooBig.msg).toMatch(/mem: .*more needed/);
    expect((await api.vm('chg-0')).mem).toBe(3072);

    // Data disks: added (reserved), then removed (given back) on the stopped VM.
    await c.call('POST', `${V}/stop`);
    await api.vmIn('chg-0', 'stopped');
    const beforeDisk = (await api.host(hostId)).capacity.reserved.disk;
    await api.change('POST', `${V}/disks`, { size: 2048 });
    vm = await api.vm('chg-0');
    expect(vm.disks?.map((d) => [d.n, d.size])).toEqual([[0, 2048]]);
    await api.reservedSettles(hostId, {
      ...reservedBefore,
      cpu: 3,
      mem: 3072,
      disk: beforeDisk + 2048,
    });
    await api.change('DELETE', `${V}/disks/0`);
    expect((await api.vm('chg-0')).disks).toEqual([]);
    await api.reservedSettles(hostId, { ...reservedBefore, cpu: 3, mem: 3072, disk: beforeDisk });

    // Snapshot, change, snapshot again, roll back: refused without force, naming the later one.
    await api.change('POST', `${V}/snapshots`, { name: 'base' });
    await api.change('PATCH', V, { cpu: 4 });
    await api.change('POST', `${V}/snapshots`, { name: 'later' });
    const snaps = await api.json<{ items: VmSnapshot[] }>(c.call('GET', `${V}/snapshots`));
    expect(snaps.items.map((s) => s.name)).toEqual(['base', 'later']);
    const noForce = await api.refused('POST', `${V}/snapshots/base/rollback`);
    expect(noForce.status).toBe(409);
    expect(noForce.msg).toContain('later');
    await api.change('POST', `${V}/snapshots/base/rollback?force=true`);
    vm = await api.vm('chg-0');
    expect([vm.cpu, vm.state]).toEqual([3, 'stopped']);

    // A clone of the snapshot is a new VM of the environment, on the same host, that runs.
    const cloned = await api.change('POST', `${V}/snapshots/base/clone`, {});
    expect(cloned.result?.vm_id).toBe('chg-1');
    const clone = await api.vmIn('chg-1', 'running');
    expect([clone.host_id, clone.cpu]).toEqual([hostId, 3]);
    // The snapshot names its clone as users know it, never by its zone name.
    const withClone = await api.json<{ items: VmSnapshot[] }>(c.call('GET', `${V}/snapshots`));
    expect(withClone.items.find((s) => s.name === 'base')?.clones).toEqual(['chg-1']);
    // An agent's refusal names the VM as users know it too.
    await api.change('POST', '/v1/vms/chg-1/snapshots', { name: 'fresh' });
    const running = await api.refused('POST', '/v1/vms/chg-1/snapshots/fresh/rollback');
    expect(running.status).toBe(409);
    expect(running.msg).toContain('chg-1');
    expect(running.msg).not.toMatch(/chg-[a-z2-7]{8}-\d/);

    // Published as an image, which makes a VM on the other host.
    const published = await api.change('POST', `${V}/snapshots/base/image`, { name: 'chg-base' });
    expect(published.result?.image).toBe('chg-base');
    const images = await api.json<{ items: Image[] }>(c.call('GET', '/v1/images'));
    const image = images.items.find((i) => i.digest === published.result?.image_digest);
    expect(image?.format).toBe('zfs-send');
    const other = agents.find((a) => a.hostId !== hostId) as AgentDaemon;
    expect(
      (
        await c.call('POST', '/v1/envs', {
          id: 'from-img',
          ssh_keys: [sshKey()],
          vms: [{ image: 'chg-base', cpu: 1, mem: 1024, disk: 10240 }],
        })
      ).status,
    ).toBe(202);
    const fromImage = await api.envSettled('from-img');
    expect(fromImage.state).toBe('active');
    expect(fromImage.vms[0]?.host_id).toBe(other.hostId);

    // A snapshot is deleted; one a clone comes from is refused.
    await api.change('POST', `${V}/snapshots`, { name: 'spare' });
    await api.change('DELETE', `${V}/snapshots/spare`);
    const still = await api.json<{ items: VmSnapshot[] }>(c.call('GET', `${V}/snapshots`));
    expect(still.items.map((s) => s.name)).toEqual(['base']);

    // An ISO uploaded to the controller, attached as the CD-ROM and detached again.
    const iso = Buffer.from('CD001 apiary test installer\n'.repeat(64));
    const isoImage = await c.admin.uploadImage({
      query: { name: 'tiny-installer', format: 'iso' },
      body: new Uint8Array(iso),
      contentLength: iso.length,
    });
    await api.change('PUT', `${V}/cdrom`, { image: 'tiny-installer' });
    expect((await api.vm('chg-0')).cdrom).toBe(isoImage.digest);
    // In a CD-ROM, the ISO is in use: the controller keeps it.
    const deleting = await c.call('DELETE', `/v1/images/${isoImage.digest}`);
    expect(deleting.status, await deleting.clone().text()).toBe(409);
    await api.change('DELETE', `${V}/cdrom`);
    expect((await api.vm('chg-0')).cdrom).toBeNull();
    // An image that is not an ISO is no CD-ROM.
    const notIso = await api.refused('PUT', `${V}/cdrom`, { image: 'alpine-cloud' });
    expect(notIso.status).toBe(400);

    // Every operation of the VM is listed, newest first.
    const ops = await api.json<{ items: { kind: string }[] }>(c.call('GET', `${V}/operations`));
    expect(ops.items[0]?.kind).toBe('detach_cdrom');
    expect(ops.items.map((o) => o.kind)).toContain('clone');

    for (const id of ['chg', 'from-img']) await c.call('DELETE', `/v1/envs/${id}`);
    for (const id of ['chg', 'from-img']) expect((await api.envSettled(id)).state).toBe('deleted');
  }, 600_000);
});
