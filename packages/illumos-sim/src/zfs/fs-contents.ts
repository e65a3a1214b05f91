import {
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import type { HostState } from '../core/state-types.js';
import { getDataset, hostPath, mountpointOf } from './zfs-model.js';

/**
 * The files of a file system dataset are whatever lies in its mount directory on the host,
 * minus the mount directories of other datasets below it. A clone of a file system shows its
 * origin's files: the simulator copies them when the clone is made, from the origin's live
 * mount directory (a real clone shows the snapshot's content; the two differ only if the
 * origin changed after the snapshot). Files are copied whole: sparse files become dense.
 */
export function mountDirOf(state: HostState, hostRoot: string, name: string): string | undefined {
  const ds = getDataset(state, name);
  if (ds?.type !== 'filesystem' || ds.props.canmount === 'off') return undefined;
  const mp = mountpointOf(state, name).value;
  return mp.startsWith('/') ? hostPath(hostRoot, mp) : undefined;
}

/** Host directories that are other file systems' mount points, to leave out of a copy. */
function otherMounts(state: HostState, hostRoot: string, except: string): Set<string> {
  const out = new Set<string>();
  for (const ds of Object.values(state.datasets)) {
    if (ds.name === except || ds.type !== 'filesystem') continue;
    const dir = mountDirOf(state, hostRoot, ds.name);
    if (dir) out.add(dir);
  }
  return out;
}

/** Copies files, directories and symlinks with their permission bits (zoneadm checks them). */
function copyTree(from: string, to: string, skip: Set<string>): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    const src = join(from, entry);
    const dst = join(to, entry);
    if (skip.has(src)) continue;
    const st = lstatSync(src);
    if (st.isDirectory()) copyTree(src, dst, skip);
    else if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (st.isFile()) {
      copyFileSync(src, dst);
      chmodSync(dst, st.mode & 0o7777);
    }
  }
  chmodSync(to, lstatSync(from).mode & 0o7777);
}

/** Copies file system `origin`'s files into the mount directory of its new clone `clone`. */
export function copyFilesystemContents(
  state: HostState,
  hostRoot: string,
  origin: string,
  clone: string,
): void {
  const from = mountDirOf(state, hostRoot, origin);
  const to = mountDirOf(state, hostRoot, clone);
  if (!from || !to || !existsSync(from)) return;
  copyTree(from, to, otherMounts(state, hostRoot, origin));
}
