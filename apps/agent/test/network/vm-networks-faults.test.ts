import { addFault, readFaults } from '@apiary/illumos-sim';
import { beforeAll, describe, expect, it } from 'vitest';
import { distinctPatterns } from '../helpers/fault-patterns.js';
import { hostSnapshot } from '../helpers/host-snapshot.js';
import { buildZfsImage } from '../helpers/images.js';
import { type SimAgent, simAgent } from '../helpers/sim-agent.js';

/*
 * Fault injection at every command of creating a VM on three networks (a bridged VLAN, nat, a
 * private etherstub): whichever command fails, before or after doing its work, the VM is undone
 * and no VNIC, dataset, zone or rule of it is left; and its addresses are free again.
 */

const image = buildZfsImage();
const ID = 'netfault-0';
const CREATE = {
  id: ID,
  env_id: 'netfault',
  image: 'box',
  ssh_keys: [],
  networks: ['lan', 'nat', 'lab'],
};

describe('a command failing once while a VM on three networks is created', async () => {
  let t: SimAgent;
  let baseline: ReturnType<typeof hostSnapshot>;
  let patterns: string[];
  beforeAll(async () => {
    t = await simAgent({ agent: { createAttempts: 1 }, init: { links: ['e1000g0', 'e1000g1'] } });
    await t.api.uploadImage({
      query: { name: 'box' },
      body: image.stream,
      contentLength: image.stream.length,
    });
    await t.api.createNetwork({
      body: {
        name: 'lan',
        kind: 'bridged',
        link: 'e1000g1',
        vlan: 7,
        subnet: '192.168.7.0/24',
        gateway: '192.168.7.1',
      },
    });
    await t.api.createNetwork({ body: { name: 'lab', kind: 'private', subnet: '172.16.9.0/24' } });
    baseline = hostSnapshot(t.simRoot);
    const mark = t.commands().length;
    await t.api.createVm({ body: CREATE });
    await t.settle();
    patterns = distinctPatterns(t.commands().slice(mark));
    expect((await t.api.getVm({ params: { id: ID } })).state).toBe('running');
    await remove();
    expect(hostSnapshot(t.simRoot)).toEqual(baseline);
  });

  async function remove() {
    await t.api.deleteVm({ params: { id: ID } });
    await t.settle();
    expect(await t.api.getVm({ params: { id: ID } }).catch((e) => e.status)).toBe(404);
  }

  it('creates all three VNICs in the reference run', () => {
    const vnics = patterns.filter((p) => p.startsWith('dladm create-vnic'));
    expect(vnics).toEqual([
      'dladm create-vnic -l e1000g1 -v 7 apiary1n0',
      'dladm create-vnic -l apiarystub0 apiary1n1',
      'dladm create-vnic -l apiaryns10 apiary1n2',
    ]);
  });

  for (const when of ['before', 'after'] as const) {
    it(`leaves the host as it was, for each command (fault ${when} it runs)`, async () => {
      for (const match of patterns) {
        await addFault(t.simRoot, {
          match,
          count: 1,
          exit_code: 1,
          stderr: 'simulated failure\n',
          when,
        });
        await t.api.createVm({ body: CREATE });
        await t.settle();
        const fired = !readFaults(t.simRoot).some((f) => f.match === match && (f.count ?? 1) > 0);
        expect(fired, match).toBe(true);
        const vm = await t.api.getVm({ params: { id: ID } });
        if (when === 'before') expect(vm.state, match).toBe('failed');
        await remove();
        expect(hostSnapshot(t.simRoot), match).toEqual(baseline);
        // The static address went back to the range: the next VM gets the first one again.
        const lan = (await t.api.listNetworks()).items.find((n) => n.name === 'lan');
        expect(lan?.vm_count, match).toBe(0);
      }
    }, 600_000);
  }
});
