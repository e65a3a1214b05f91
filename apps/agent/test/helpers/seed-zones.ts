import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '@apiary/illumos-sim';
import { renderBhyveZone } from '../../src/host/zonecfg-format.js';
import { tempDir } from './temp.js';

/**
 * Running zones as an agent stamps them, put straight onto a simulated host (in-process, for
 * speed): a restarted agent adopts them as its VMs. Each has one VNIC, `apiary<slot>n0`, over
 * the agent's etherstub (so an agent must have started on the host once before).
 */
export async function seedRunningZones(root: string, ids: string[], firstSlot: number) {
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
          ['apiary-cpu', '2'],
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
