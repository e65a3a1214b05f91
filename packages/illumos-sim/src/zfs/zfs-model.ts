import { linkSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomGuid } from '../core/ids.js';
import type { DatasetRecord, DatasetType, HostState } from '../core/state-types.js';
import { recvCloneDataPath, snapshotDataPath } from './zvol-data.js';

/**
 * The dataset tree: lookup, creation and removal, mountpoints, zvol device files. Datasets live
 * in `state.datasets` keyed by full name (snapshots as `fs@snap`); the tree is implied by the
 * names. Filesystems are directories under the host root at their mountpoint; a volume's data
 * is the regular file `<host root>/dev/zvol/rdsk/<name>` (hard-linked as `/dev/zvol/dsk/...`),
 * which starts empty and grows as it is written.
 */
export const FS_BASE = 24576;
export const VOL_BASE = 12288;
export const DEFAULT_VOLBLOCKSIZE = 8192;

export function poolOf(name: string): string {
  return name.split(/[/@]/)[0]!;
}

export function parentOf(name: string): string | undefined {
  const at = name.indexOf('@');
  if (at >= 0) return name.slice(0, at);
  const slash = name.lastIndexOf('/');
  return slash < 0 ? undefined : name.slice(0, slash);
}

export function getDataset(state: HostState, name: string): DatasetRecord | undefined {
  return Object.hasOwn(state.datasets, name) ? state.datasets[name] : undefined;
}

/** Direct children (filesystems and volumes), not snapshots. */
export function childrenOf(state: HostState, name: string): DatasetRecord[] {
  const prefix = `${name}/`;
  return Object.values(state.datasets).filter(
    (d) =>
      d.type !== 'snapshot' &&
      d.name.startsWith(prefix) &&
      !d.name.slice(prefix.length).includes('/'),
  );
}

export function snapshotsOf(state: HostState, name: string): DatasetRecord[] {
  const prefix = `${name}@`;
  return Object.values(state.datasets)
    .filter((d) => d.name.startsWith(prefix))
    .sort((a, b) => a.createtxg - b.createtxg);
}

/** All descendants (children, grandchildren, their snapshots), deepest first. */
export function descendantsOf(state: HostState, name: string): DatasetRecord[] {
  const out: DatasetRecord[] = [];
  for (const child of childrenOf(state, name)) {
    out.push(...descendantsOf(state, child.name), child);
  }
  out.push(...snapshotsOf(state, name));
  return out;
}

export function clonesOf(state: HostState, snapshot: string): DatasetRecord[] {
  return Object.values(state.datasets).filter((d) => d.origin === snapshot);
}

/** The effective value and source of an inheritable property. */
export function inherited(
  state: HostState,
  name: string,
  prop: string,
): { value: string; source: string } | undefined {
  // a snapshot's own (user) properties first, then its file system's chain
  const own = name.includes('@') ? getDataset(state, name) : undefined;
  if (own && Object.hasOwn(own.props, prop)) return { value: own.props[prop]!, source: 'local' };
  let at: string | undefined = name.includes('@') ? parentOf(name) : name;
  while (at !== undefined) {
    const ds = getDataset(state, at);
    if (ds) {
      if (Object.hasOwn(ds.props, prop)) {
        return { value: ds.props[prop]!, source: at === name ? 'local' : `inherited from ${at}` };
      }
      if (ds.received && Object.hasOwn(ds.received, prop)) {
        return {
          value: ds.received[prop]!,
          source: at === name ? 'received' : `inherited from ${at}`,
        };
      }
    }
    at = parentOf(at);
  }
  return undefined;
}

/** mountpoint: inherited mountpoints append the path below the dataset that set it. */
export function mountpointOf(state: HostState, name: string): { value: string; source: string } {
  let at: string | undefined = name;
  while (at !== undefined) {
    const ds = getDataset(state, at);
    const local = ds?.props.mountpoint ?? ds?.received?.mountpoint;
    if (local !== undefined) {
      const rel = name.slice(at.length);
      const value = local === 'none' || local === 'legacy' || rel === '' ? local : join(local, rel);
      const source =
        at === name
          ? ds?.props.mountpoint !== undefined
            ? 'local'
            : 'received'
          : `inherited from ${at}`;
      return { value, source };
    }
    at = parentOf(at);
  }
  return { value: `/${name}`, source: 'default' };
}

/** The filesystem whose mountpoint is exactly `path`, as zoneadm install looks it up. */
export function datasetMountedAt(state: HostState, path: string): DatasetRecord | undefined {
  const clean = path.replace(/\/+$/, '') || '/';
  return Object.values(state.datasets).find(
    (d) => d.type === 'filesystem' && mountpointOf(state, d.name).value === clean,
  );
}

export function hostPath(hostRoot: string, path: string): string {
  return join(hostRoot, path);
}

export function zvolDevice(hostRoot: string, name: string, raw = true): string {
  return join(hostRoot, 'dev', 'zvol', raw ? 'rdsk' : 'dsk', name);
}

/** Bytes written to a volume so far (the device file's length). */
export function volumeDataBytes(hostRoot: string, name: string): number {
  try {
    return statSync(zvolDevice(hostRoot, name)).size;
  } catch {
    return 0;
  }
}

export interface NewDataset {
  name: string;
  type: DatasetType;
  props?: Record<string, string>;
  volsize?: number;
  volblocksize?: number;
  origin?: string;
  referenced?: number;
  unique?: number;
  /** `zfs receive -u`: leave a new file system unmounted. */
  unmounted?: boolean;
}

export function addDataset(state: HostState, hostRoot: string, spec: NewDataset): DatasetRecord {
  const ds: DatasetRecord = {
    name: spec.name,
    type: spec.type,
    guid: randomGuid(),
    createtxg: state.nextTxg++,
    creation: Math.floor(Date.now() / 1000),
    props: { ...(spec.props ?? {}) },
    unique:
      spec.unique ?? (spec.type === 'volume' ? VOL_BASE : spec.type === 'snapshot' ? 0 : FS_BASE),
    referenced: spec.referenced ?? (spec.type === 'volume' ? VOL_BASE : FS_BASE),
  };
  if (spec.volsize !== undefined) ds.volsize = spec.volsize;
  if (spec.volblocksize !== undefined) ds.volblocksize = spec.volblocksize;
  if (spec.origin !== undefined) ds.origin = spec.origin;
  if (spec.unmounted) ds.unmounted = true;
  state.datasets[spec.name] = ds;
  if (spec.type === 'filesystem' && !spec.unmounted) mountDataset(state, hostRoot, spec.name);
  if (spec.type === 'volume') createDevice(hostRoot, spec.name);
  return ds;
}

export function mountDataset(state: HostState, hostRoot: string, name: string): void {
  const mp = mountpointOf(state, name).value;
  const ds = getDataset(state, name);
  const canmount = ds?.props.canmount ?? ds?.received?.canmount;
  if (!mp.startsWith('/') || canmount === 'off' || ds?.unmounted) return;
  mkdirSync(hostPath(hostRoot, mp), { recursive: true });
}

function createDevice(hostRoot: string, name: string): void {
  const raw = zvolDevice(hostRoot, name);
  mkdirSync(dirname(raw), { recursive: true });
  writeFileSync(raw, '', { flag: 'a' });
  const blk = zvolDevice(hostRoot, name, false);
  mkdirSync(dirname(blk), { recursive: true });
  rmSync(blk, { force: true });
  linkSync(raw, blk);
}

/** Removes one dataset (no children checks: callers decide), its mount directory and data. */
export function removeDataset(
  state: HostState,
  root: string,
  hostRoot: string,
  name: string,
): void {
  const ds = getDataset(state, name);
  if (!ds) return;
  if (ds.type === 'filesystem') {
    const mp = mountpointOf(state, name).value;
    if (mp.startsWith('/') && mp !== '/')
      rmSync(hostPath(hostRoot, mp), { recursive: true, force: true });
  } else if (ds.type === 'volume') {
    rmSync(zvolDevice(hostRoot, name), { force: true });
    rmSync(zvolDevice(hostRoot, name, false), { force: true });
  } else {
    rmSync(snapshotDataPath(root, ds), { force: true });
  }
  if (ds.recvClone) rmSync(recvCloneDataPath(root, ds), { force: true });
  delete state.datasets[name];
}
