import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostState } from '../core/state-types.js';

/**
 * What `swap` finds at a path on the simulated host: zvols appear as block devices under
 * /dev/zvol/dsk and character devices under /dev/zvol/rdsk (major 90, the zfs driver's entry
 * in this host's /etc/name_to_major; minors count the volumes from 1 in creation order, minor
 * 0 being /dev/zfs); anything else is looked up in the host's file system.
 */
export const ZFS_MAJOR = 90;
const PAGESIZE = 4096;

export type SwapTarget =
  | { kind: 'block'; dataset: string; size: number; minor: number }
  | { kind: 'char' }
  | { kind: 'file'; size: number; blocks: number; sticky: boolean; fsBlockSize: number }
  | { kind: 'dir' }
  | { kind: 'missing' };

function zvolMinor(state: HostState, dataset: string): number {
  const volumes = Object.values(state.datasets)
    .filter((d) => d.type === 'volume')
    .sort((a, b) => a.createtxg - b.createtxg);
  return volumes.findIndex((d) => d.name === dataset) + 1;
}

export function lookupSwapTarget(state: HostState, hostRoot: string, path: string): SwapTarget {
  const zvol = /^\/dev\/zvol\/(r?dsk)\/(.+)$/.exec(path);
  if (zvol) {
    const ds = state.datasets[zvol[2]!];
    if (ds?.type !== 'volume') return { kind: 'missing' };
    if (zvol[1] === 'rdsk') return { kind: 'char' };
    return {
      kind: 'block',
      dataset: ds.name,
      size: ds.volsize ?? 0,
      minor: zvolMinor(state, ds.name),
    };
  }
  try {
    const st = statSync(join(hostRoot, path));
    if (st.isDirectory()) return { kind: 'dir' };
    return {
      kind: 'file',
      size: st.size,
      blocks: st.blocks,
      sticky: (st.mode & 0o1000) !== 0,
      fsBlockSize: st.blksize,
    };
  } catch {
    return { kind: 'missing' };
  }
}

/** swapadd(): skip the first page (the label), use whole pages up to the end. */
export function swapExtent(
  size: number,
  lowBlock: number,
  nBlocks: number,
): { startBlock: number; pages: number } | undefined {
  const startBlk = lowBlock !== 0 ? lowBlock : 1;
  let soff = startBlk * 512;
  if (size === 0 || soff >= size) return undefined;
  let eoff = nBlocks !== 0 ? soff + (nBlocks - (startBlk - lowBlock)) * 512 : size;
  if (eoff > size) return undefined;
  soff = Math.ceil(soff / PAGESIZE) * PAGESIZE;
  eoff = Math.floor(eoff / PAGESIZE) * PAGESIZE;
  if (soff >= eoff) return undefined;
  return { startBlock: soff / 512, pages: (eoff - soff) / PAGESIZE };
}

/** The swap area a zvol serves, if any (a swapping zvol is held open, like a busy device). */
export function swapHolding(state: HostState, dataset: string): boolean {
  return (state.swap ?? []).some((s) => s.dataset === dataset);
}
