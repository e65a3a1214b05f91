import type { DatasetRecord, HostState } from '../core/state-types.js';
import {
  DEFAULT_VOLBLOCKSIZE,
  getDataset,
  parentOf,
  poolOf,
  VOL_BASE,
  volumeDataBytes,
} from './zfs-model.js';

/**
 * Space accounting, close enough to ZFS that pools fill up and refuse work the way they do:
 * used = usedbydataset + usedbysnapshots + usedbychildren + usedbyrefreservation, a child
 * counts max(used, reservation) against its parent, and the pool keeps back slop space
 * (1/32 of its size, at least 128M). A volume without `-s` reserves its whole size plus
 * metadata (libzfs's volsize-to-reservation estimate).
 */
export function volsizeToReservation(volsize: number, volblocksize = DEFAULT_VOLBLOCKSIZE): number {
  const dnodesPerLevel = 1024;
  let nblocks = Math.floor(volsize / volblocksize);
  let numdb = 7;
  while (nblocks > 1) {
    nblocks = Math.floor((nblocks + dnodesPerLevel - 1) / dnodesPerLevel);
    numdb += nblocks;
  }
  // two copies of metadata (copies=1 plus one), 128K indirect blocks
  return volsize + numdb * 2 * 131072;
}

export interface Space {
  used: number;
  available: number;
  referenced: number;
  usedbydataset: number;
  usedbysnapshots: number;
  usedbychildren: number;
  usedbyrefreservation: number;
}

function numProp(ds: DatasetRecord | undefined, prop: string): number {
  const v = ds?.props[prop] ?? ds?.received?.[prop];
  if (v === undefined || v === 'none') return 0;
  return Number(v) || 0;
}

export class SpaceCalculator {
  private readonly memoUsed = new Map<string, number>();
  private readonly memoAvail = new Map<string, number>();
  private readonly memoRefer = new Map<string, number>();
  /** Children and snapshots per dataset, built once: listing a big host stays linear. */
  private readonly kids = new Map<string, DatasetRecord[]>();
  private readonly snaps = new Map<string, DatasetRecord[]>();

  constructor(
    private readonly state: HostState,
    private readonly hostRoot: string,
  ) {
    for (const d of Object.values(state.datasets)) {
      const parent = parentOf(d.name);
      if (parent === undefined) continue;
      const map = d.type === 'snapshot' ? this.snaps : this.kids;
      const list = map.get(parent);
      if (list) list.push(d);
      else map.set(parent, [d]);
    }
  }

  private childrenOf(name: string): DatasetRecord[] {
    return this.kids.get(name) ?? [];
  }

  private snapshotsOf(name: string): DatasetRecord[] {
    return this.snaps.get(name) ?? [];
  }

  referenced(ds: DatasetRecord): number {
    if (ds.type !== 'volume') return ds.referenced;
    const hit = this.memoRefer.get(ds.name);
    if (hit !== undefined) return hit;
    const bs = ds.volblocksize ?? DEFAULT_VOLBLOCKSIZE;
    const bytes = volumeDataBytes(this.hostRoot, ds.name);
    const written = VOL_BASE + Math.ceil(bytes / bs) * bs;
    const refer = Math.max(written, ds.referenced);
    this.memoRefer.set(ds.name, refer);
    return refer;
  }

  /** Bytes this dataset holds that nothing else shares. */
  unique(ds: DatasetRecord): number {
    if (ds.type === 'snapshot') {
      const live = getDataset(this.state, parentOf(ds.name)!);
      return live ? Math.max(0, ds.referenced - this.referenced(live)) : 0;
    }
    const refer = this.referenced(ds);
    if (!ds.origin) return ds.type === 'volume' ? refer : Math.max(ds.unique, refer);
    const origin = getDataset(this.state, ds.origin);
    return Math.max(ds.type === 'volume' ? VOL_BASE : ds.unique, refer - (origin?.referenced ?? 0));
  }

  space(ds: DatasetRecord): Space {
    const usedbydataset = this.unique(ds);
    const usedbysnapshots =
      ds.type === 'snapshot'
        ? 0
        : this.snapshotsOf(ds.name).reduce((n, s) => n + this.unique(s), 0);
    const usedbychildren =
      ds.type === 'snapshot'
        ? 0
        : this.childrenOf(ds.name).reduce((n, c) => n + this.charged(c), 0);
    const usedbyrefreservation = Math.max(0, numProp(ds, 'refreservation') - usedbydataset);
    return {
      used: this.used(ds),
      available: this.available(ds),
      referenced: this.referenced(ds),
      usedbydataset,
      usedbysnapshots,
      usedbychildren,
      usedbyrefreservation,
    };
  }

  used(ds: DatasetRecord): number {
    const hit = this.memoUsed.get(ds.name);
    if (hit !== undefined) return hit;
    let used = this.unique(ds);
    if (ds.type !== 'snapshot') {
      for (const s of this.snapshotsOf(ds.name)) used += this.unique(s);
      for (const c of this.childrenOf(ds.name)) used += this.charged(c);
      used += Math.max(0, numProp(ds, 'refreservation') - this.unique(ds));
    }
    this.memoUsed.set(ds.name, used);
    return used;
  }

  /** What a child costs its parent: its reservation if larger than what it uses. */
  charged(ds: DatasetRecord): number {
    return Math.max(this.used(ds), numProp(ds, 'reservation'));
  }

  poolUsable(pool: string): number {
    const p = this.state.pools.find((x) => x.name === pool);
    if (!p) return 0;
    const slop = Math.max(Math.floor(p.size / 32), 128 * 1024 * 1024);
    return Math.max(0, p.size - slop);
  }

  available(ds: DatasetRecord): number {
    const hit = this.memoAvail.get(ds.name);
    if (hit !== undefined) return hit;
    let avail: number;
    const parentName = parentOf(ds.name);
    const parent = parentName ? getDataset(this.state, parentName) : undefined;
    if (ds.type === 'snapshot') avail = 0;
    else if (!parent) avail = Math.max(0, this.poolUsable(ds.name) - this.used(ds));
    else {
      const used = this.used(ds);
      avail = this.available(parent) + Math.max(0, numProp(ds, 'reservation') - used);
      if (ds.type === 'volume')
        avail += Math.max(0, numProp(ds, 'refreservation') - this.unique(ds));
      const quota = numProp(ds, 'quota');
      if (quota > 0) avail = Math.min(avail, Math.max(0, quota - used));
    }
    this.memoAvail.set(ds.name, avail);
    return avail;
  }

  /** Physically allocated bytes of a pool: data, not reservations. */
  allocated(pool: string): number {
    let total = 0;
    for (const ds of Object.values(this.state.datasets)) {
      if (poolOf(ds.name) === pool) total += this.unique(ds);
    }
    return total;
  }
}
