import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addFault, readState, runCommand } from '@apiary/illumos-sim';
import { agentRoutes, hostHoldsNothing } from '@apiary/protocol';
import { describe, expect, it } from 'vitest';
import { renderBhyveZone } from '../src/host/zonecfg-format.js';
import { buildZfsImage } from './helpers/images.js';
import { type SimAgent, simAgent } from './helpers/sim-agent.js';
import { tempDir } from './helpers/temp.js';

const image = buildZfsImage();

/** A zone put straight onto the host: with our VM id attr (as an agent stamps it) or without. */
async function seedZone(t: SimAgent, id: string, o: { apiary: boolean; slot?: number }) {
  const file = join(tempDir('seed'), `${id}.zonecfg`);
  writeFileSync(
    file,
    renderBhyveZone({
      zonepath: `/zones/${id}`,
      autoboot: false,
      nets: [],
      devices: [],
      attrs: o.apiary
        ? [
            ['apiary-vm-id', id],
            ['apiary-env-id', 'seeded'],
            ['apiary-created-at', '2020-01-01T00:00:00.000Z'],
            ...(o.slot !== undefined ? [['apiary-slot', String(o.slot)] as [string, string]] : []),
          ]
        : [['owner', 'someone-else']],
    }),
  );
  for (const argv of [
    ['zonecfg', '-z', id, '-f', file],
    ['zoneadm', '-z', id, 'install'],
  ]) {
    const result = await runCommand({ argv, root: t.simRoot });
    if (result.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
  }
}

async function agentWithVm(id: string) {
  const t = await simAgent();
  await t.api.uploadImage({
    query: { name: 'box' },
    body: image.stream,
    contentLength: image.stream.length,
  });
  await t.api.createVm({ body: { id, env_id: 'hv', image: 'box' } });
  await t.settle();
  return t;
}

async function hostVms(t: SimAgent) {
  const res = await t.fetch(`http://agent.test${agentRoutes.listHostVms.path}`, {
    headers: { authorization: `Bearer ${t.key}` },
  });
  expect(res.status).toBe(200);
  return agentRoutes.listHostVms.response.parse(await res.json());
}

describe('GET /api/host/vms', () => {
  it('reports what the host holds per id, read from the host, in a fixed number of commands', async () => {
    const t = await agentWithVm('hv-0');
    await seedZone(t, 'stray-1', { apiary: true });
    await seedZone(t, 'theirs', { apiary: false });
    const before = t.commands().length;
    const listing = await hostVms(t);
    const ran = t
      .commands()
      .slice(before)
      .map((c) => c.argv.slice(0, 3).join(' '));
    // Three listings for the whole host, and a configuration read only for the zones the
    // agent has no record of.
    expect(ran.filter((c) => !c.startsWith('zonecfg')).sort()).toEqual(
      ['dladm show-link -p', 'zfs list -Hp', 'zoneadm list -cpn'].sort(),
    );
    expect(ran.filter((c) => c.startsWith('zonecfg')).sort()).toEqual([
      'zonecfg -z stray-1',
      'zonecfg -z theirs',
    ]);
    const byId = Object.fromEntries(listing.items.map((i) => [i.id, i]));
    expect(byId['hv-0']).toMatchObject({
      zone_state: 'running',
      apiary: true,
      env_id: 'hv',
      datasets: ['rpool/apiary/vms/hv-0', 'rpool/apiary/vms/hv-0/disk0'],
      links: ['apiary1n0'],
      agent_state: 'running',
      busy: false,
    });
    expect(byId['stray-1']).toMatchObject({
      zone_state: 'installed',
      apiary: true,
      env_id: 'seeded',
      created_at: '2020-01-01T00:00:00.000Z',
      agent_state: null,
    });
    expect(byId.theirs).toMatchObject({ apiary: false, agent_state: null, env_id: null });
    expect(hostHoldsNothing(listing, 'theirs')).toBe(true);
    expect(hostHoldsNothing(listing, 'stray-1')).toBe(false);
    expect(hostHoldsNothing(listing, 'never-here')).toBe(true);
  }, 60_000);
});

describe('deleting a VM', () => {
  it('keeps the record when the undo claims success but the zone is still on the host', async () => {
    const t = await agentWithVm('liar-0');
    // `zonecfg delete` exits 0 without doing anything: the undo believes the zone is gone.
    await addFault(t.simRoot, { match: 'zonecfg -z liar-0 delete -F', exit_code: 0, count: 1 });
    await t.api.deleteVm({ params: { id: 'liar-0' } });
    await t.settle();
    expect(readState(t.simRoot).zones.map((z) => z.name)).toEqual(['liar-0']);
    const vm = await t.api.getVm({ params: { id: 'liar-0' } });
    expect(vm.state).toBe('failed');
    expect(vm.error?.msg).toMatch(/zone liar-0 \(configured\) is still on the host/);
    // The cleanup pass finishes the job; only then is the VM unknown to the agent.
    await t.agent.tick();
    expect(readState(t.simRoot).zones).toEqual([]);
    const gone = await t.api.getVm({ params: { id: 'liar-0' } }).catch((e) => e);
    expect(gone.status).toBe(404);
  }, 60_000);

  it('adopts and removes a zone of ours the database lost, instead of answering 404', async () => {
    const t = await agentWithVm('keep-0');
    // Stamped with the slot keep-0 holds: adopted without a slot, its VNIC is not its own.
    await seedZone(t, 'lost-1', { apiary: true, slot: 1 });
    const accepted = await t.api.deleteVm({ params: { id: 'lost-1' } });
    expect(accepted.operation.kind).toBe('delete');
    await t.settle();
    const state = readState(t.simRoot);
    expect(state.zones.map((z) => z.name)).toEqual(['keep-0']);
    expect(state.links.map((l) => l.name)).toContain('apiary1n0');
    expect((await t.api.getVm({ params: { id: 'keep-0' } })).state).toBe('running');
    const listing = await hostVms(t);
    expect(hostHoldsNothing(listing, 'lost-1')).toBe(true);
  }, 60_000);

  it('answers 404 for an id the host has nothing of', async () => {
    const t = await simAgent();
    const error = await t.api.deleteVm({ params: { id: 'nothing-0' } }).catch((e) => e);
    expect(error.status).toBe(404);
  }, 60_000);
});
