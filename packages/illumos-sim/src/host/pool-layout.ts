import type { TopLevelVdev } from '../core/state-types.js';

/**
 * Pool layouts for `apiary-sim init --pool NAME=SIZE[:LAYOUT]`: LAYOUT is a list of disks
 * (`c1t0d0,c1t1d0`: a stripe of single-disk vdevs) or of groups (`mirror:c1t0d0,c1t1d0`,
 * `raidz:...`, `raidz2:...`, `raidz3:...`, repeatable: `mirror:a,b:mirror:c,d`), with zpool
 * create's minimum device counts. Disks are illumos cXtYdZ names.
 */
const MIN_DISKS: Record<TopLevelVdev['type'], number> = {
  disk: 1,
  mirror: 2,
  raidz1: 2,
  raidz2: 3,
  raidz3: 4,
};

export function parsePoolLayout(text: string): TopLevelVdev[] {
  const segments = text.split(':');
  const vdevs: TopLevelVdev[] = [];
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const keyword = seg === 'raidz' ? 'raidz1' : seg;
    if (keyword in MIN_DISKS && keyword !== 'disk') {
      const disks = (segments[++i] ?? '').split(',').filter((d) => d !== '');
      const type = keyword as TopLevelVdev['type'];
      if (disks.length < MIN_DISKS[type])
        throw new Error(`${seg} needs at least ${MIN_DISKS[type]} disks: ${text}`);
      vdevs.push({ type, disks });
    } else {
      for (const d of seg.split(',').filter((x) => x !== ''))
        vdevs.push({ type: 'disk', disks: [d] });
    }
  }
  for (const d of vdevs.flatMap((v) => v.disks)) {
    if (!/^c\d+(t\d+)?d\d+$/.test(d)) throw new Error(`invalid disk name: ${d}`);
  }
  if (vdevs.length === 0) throw new Error(`empty pool layout: ${text}`);
  return vdevs;
}

export function poolDisks(vdevs: TopLevelVdev[]): string[] {
  return vdevs.flatMap((v) => v.disks);
}

/** Usable size of one disk of a pool of `size` bytes: what each top-level vdev contributes. */
export function diskCapacity(type: TopLevelVdev['type'], disks: number, vdevShare: number): number {
  const parity = type === 'raidz1' ? 1 : type === 'raidz2' ? 2 : type === 'raidz3' ? 3 : 0;
  if (type === 'mirror') return vdevShare;
  return Math.floor(vdevShare / Math.max(1, disks - parity));
}
