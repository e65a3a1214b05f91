import type { HostState } from '@apiary/illumos-sim';

/**
 * What VMs leave on a simulated host: zones, per-VM VNICs, VM datasets, port-forward rules and
 * per-zone filter instances. Host-wide plumbing (the NAT etherstub and gateway, the image
 * store) is shared and not counted.
 */
export function footprint(state: HostState) {
  return {
    zones: state.zones
      .filter((z) => z.name !== 'global')
      .map((z) => `${z.name}:${z.state}`)
      .sort(),
    vnics: state.links
      .filter((l) => /^apiary\d+n0$/.test(l.name))
      .map((l) => l.name)
      .sort(),
    datasets: Object.keys(state.datasets)
      .filter((d) => d.includes('/apiary/vms/'))
      .sort(),
    rdr: state.ipfilter.global.nat.filter((r) => r.startsWith('rdr')),
    filters: Object.keys(state.ipfilter.zones).sort(),
  };
}

export const EMPTY_FOOTPRINT = { zones: [], vnics: [], datasets: [], rdr: [], filters: [] };

/**
 * Zones named as users name their VMs: a VM's zone is `<env name>-<8 base32>-<index>` (its
 * internal id, unique across organizations), its name `<env name>-<index>`.
 */
export function asVmNames(zones: string[]): string[] {
  return zones.map((z) => z.replace(/-[a-z2-7]{8}-(\d+)(?=:|$)/, '-$1'));
}
