import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '@apiary/illumos-sim';
import { describe, expect, it } from 'vitest';
import { renderBhyveZone } from '../src/host/zonecfg-format.js';
import { buildZfsImage } from './helpers/images.js';
import { simAgent } from './helpers/sim-agent.js';
import { tempDir } from './helpers/temp.js';

const image = buildZfsImage();

/**
 * Zones as an agent stamps them, put straight onto the simulated host (in-process, for speed):
 * what a host looks like when the agent's database does not know its VMs.
 */
async function seedZones(root: string, ids: string[], firstSlot: number) {
  const dir = tempDir('seed');
  for (const [i, id] of ids.entries()) {
    const slot = firstSlot + i;
    const file = join(dir, `${id}.zonecfg`);
    writeFileSync(
      file,
      renderBhyveZone({
        zonepath: `/zones/${id}`,
        autoboot: false,
        nets: [
          {
            physical: `apiary${slot}n0`,
            allowedAddress: `10.213.${slot >> 8}.${(slot + 1) & 255}/16`,
          },
        ],
        devices: [],
        attrs: [
          ['apiary-vm-id', id],
          ['apiary-env-id', 'seeded'],
          ['apiary-cpu', '1'],
          ['apiary-mem', '256'],
          ['apiary-disk', '1024'],
          ['apiary-slot', String(slot)],
          ['apiary-ports', `22:${41000 + slot}`],
        ],
      }),
    );
    for (const argv of [
      ['dladm', 'create-vnic', '-l', 'apiarystub0', `apiary${slot}n0`],
      ['zonecfg', '-z', id, '-f', file],
      ['zoneadm', '-z', id, 'install'],
      ['zoneadm', '-z', id, 'boot'],
    ]) {
      const result = await runCommand({ argv, root });
      if (result.exitCode !== 0) throw new Error(`${argv.join(' ')}: ${result.stderr}`);
    }
  }
}

describe('listing VMs', () => {
  it('runs one host command for 200 VMs, as for 10, and info none', async () => {
    const first = await simAgent({ init: { cpus: 512, ram: '1T' } });
    await first.api.uploadImage({
      query: { name: 'box' },
      body: image.stream,
      contentLength: image.stream.length,
    });
    const ids = Array.from({ length: 10 }, (_, i) => `scale-${i}`);
    await Promise.all(
      ids.map((id) =>
        first.api.createVm({
          body: { id, env_id: 'scale', image: 'box', cpu: 1, mem: 256, disk: 1024 },
        }),
      ),
    );
    await first.settle();

    const listing = async (t: typeof first) => {
      const before = t.commands().length;
      const page = await t.api.listVms({ query: { limit: 1000 } });
      return {
        page,
        commands: t
          .commands()
          .slice(before)
          .map((c) => c.argv.join(' ')),
      };
    };
    const ten = await listing(first);
    expect(ten.page.total).toBe(10);
    expect(ten.commands).toEqual(['zoneadm list -cpn']);
    await first.agent.stop();

    // 190 more VMs the database has never seen: the restarted agent adopts them from the host.
    await seedZones(
      first.simRoot,
      Array.from({ length: 190 }, (_, i) => `seeded-${i}`),
      100,
    );
    const t = await simAgent({ simRoot: first.simRoot, dataDir: first.dataDir });
    const all = await listing(t);
    expect(all.page.total).toBe(200);
    expect(all.page.items.filter((v) => v.state === 'running')).toHaveLength(200);
    expect(all.commands).toEqual(['zoneadm list -cpn']);
    expect(all.commands.length).toBeLessThanOrEqual(2);

    // Paging does not change the count either.
    const page = await listing(t);
    expect(page.commands).toHaveLength(1);

    // Info and metrics read the database and cached totals: no host command at all.
    const before = t.commands().length;
    const info = await t.api.info();
    expect(info.vm_count).toBe(200);
    expect(info.resources.used.cpu).toBe(200);
    expect(info.resources.total.cpu).toBe(512);
    const metrics = await (await t.fetch('http://agent.test/metrics')).text();
    expect(metrics).toMatch(/^apiary_agent_vms\{state="running"\} 200$/m);
    expect(t.commands().length).toBe(before);
  }, 300_000);
});
