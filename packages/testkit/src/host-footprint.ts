import { runCommand } from '@apiary/illumos-sim';

/**
 * What a simulated host holds that a VM could leave behind, read through the same commands an
 * operator would run: non-global zones, VNICs, volumes (a VM's disks are zvols), NAT rules.
 */
export async function hostFootprint(simDir: string): Promise<{
  zones: string[];
  vnics: string[];
  zvols: string[];
  natRules: string[];
}> {
  const run = async (...argv: string[]) => (await runCommand({ argv, root: simDir })).stdout;
  const zones = (await run('zoneadm', 'list', '-cpn'))
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':')[1] as string);
  const vnics = (await run('dladm', 'show-vnic', '-p', '-o', 'link')).split('\n').filter(Boolean);
  const zvols = (await run('zfs', 'list', '-H', '-o', 'name', '-t', 'volume'))
    .split('\n')
    .filter(Boolean);
  const natRules = (await run('ipnat', '-l')).split('\n').filter((line) => line.startsWith('rdr '));
  return { zones, vnics, zvols, natRules };
}
