import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, DatasetName, SnapshotName } from './names.js';
import { type DatasetRow, LIST_FIELDS, parseDatasetList } from './zfs-format.js';

/*
 * zfs verbs. Creating verbs treat "already exists" as success and destroying verbs treat "does
 * not exist" as success, so every saga step and its undo can be repeated after a crash.
 */

const NOT_FOUND = 'does not exist';
const EXISTS = 'already exists';

const ds = (name: string) => checkName(DatasetName, name, 'dataset');
const snap = (name: string) => checkName(SnapshotName, name, 'snapshot');

/** `root` and everything below it (snapshots included); [] when `root` does not exist. */
export async function listDatasetTree(exec: HostExec, root: string): Promise<DatasetRow[]> {
  try {
    const { stdout } = await exec.run('zfs', [
      'list',
      '-Hp',
      '-o',
      LIST_FIELDS,
      '-t',
      'all',
      '-r',
      ds(root),
    ]);
    return parseDatasetList(stdout);
  } catch (error) {
    if (failedWith(error, NOT_FOUND)) return [];
    throw error;
  }
}

/** One dataset or snapshot, or null. */
export async function getDataset(exec: HostExec, name: string): Promise<DatasetRow | null> {
  const target = name.includes('@') ? snap(name) : ds(name);
  try {
    const { stdout } = await exec.run('zfs', [
      'list',
      '-Hp',
      '-o',
      LIST_FIELDS,
      '-t',
      'all',
      target,
    ]);
    return parseDatasetList(stdout)[0] ?? null;
  } catch (error) {
    if (failedWith(error, NOT_FOUND)) return null;
    throw error;
  }
}

async function tolerate(run: () => Promise<unknown>, ...texts: string[]): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (failedWith(error, ...texts)) return false;
    throw error;
  }
}

/** `zfs create -p NAME` (a filesystem and its parents). */
export function createFilesystem(exec: HostExec, name: string, props: Record<string, string> = {}) {
  const opts = Object.entries(props).flatMap(([k, v]) => ['-o', checkAssignment(k, v)]);
  return tolerate(() => exec.run('zfs', ['create', '-p', ...opts, ds(name)]), EXISTS);
}

/** `zfs create -p [-s] -V BYTES NAME`. */
export function createVolume(exec: HostExec, name: string, sizeBytes: number, sparse: boolean) {
  const args = ['create', '-p', ...(sparse ? ['-s'] : []), '-V', String(sizeBytes), ds(name)];
  return tolerate(() => exec.run('zfs', args), EXISTS);
}

export function snapshot(exec: HostExec, name: string) {
  return tolerate(() => exec.run('zfs', ['snapshot', snap(name)]), EXISTS);
}

/** Thin clone of `source` (a snapshot) as `target`, creating target's parents. */
export function cloneSnapshot(exec: HostExec, source: string, target: string) {
  return tolerate(() => exec.run('zfs', ['clone', '-p', snap(source), ds(target)]), EXISTS);
}

/** `prop=value` with a property name and a value that cannot be read as anything else. */
function checkAssignment(property: string, value: string): string {
  if (!/^[a-z][a-z0-9_:.-]*$/.test(property) || !/^[A-Za-z0-9_.:/-]+$/.test(value)) {
    throw new TypeError(`bad property assignment ${property}=${value}`);
  }
  return `${property}=${value}`;
}

function checkPropertyName(property: string): string {
  if (!/^[a-z][a-z0-9_:.-]*$/.test(property)) throw new TypeError(`bad property ${property}`);
  return property;
}

export async function setProperty(exec: HostExec, name: string, property: string, value: string) {
  await exec.run('zfs', ['set', checkAssignment(property, value), ds(name)]);
}

/** Destroy a dataset (with `-r`, its children and snapshots); true if something was destroyed. */
export function destroyDataset(exec: HostExec, name: string, recursive = false) {
  const target = name.includes('@') ? snap(name) : ds(name);
  return tolerate(
    () => exec.run('zfs', ['destroy', ...(recursive ? ['-r'] : []), target]),
    NOT_FOUND,
  );
}

export async function renameDataset(exec: HostExec, from: string, to: string) {
  await exec.run('zfs', ['rename', ds(from), ds(to)]);
}

/** Properties a receive sets (`-o prop=value`) or keeps the stream from setting (`-x prop`). */
export interface ReceiveProps {
  set?: Record<string, string>;
  exclude?: string[];
}

/**
 * `zfs receive -u [-o prop=value]... [-x prop]... TARGET < file`. Always `-u`: a received file
 * system is never mounted by the receive itself. ZFS checks every `-o`/`-x` against the type
 * the stream's BEGIN record names before any data is written, and refuses a property that does
 * not apply to it (`property 'X' does not apply to datasets of this type`; libzfs_sendrecv.c
 * zfs_setup_cmdline_props) unless the stream is recursive (-R).
 */
export async function receiveFromFile(
  exec: HostExec,
  target: string,
  file: string,
  props: ReceiveProps = {},
) {
  const set = Object.entries(props.set ?? {}).flatMap(([k, v]) => ['-o', checkAssignment(k, v)]);
  const exclude = (props.exclude ?? []).flatMap((p) => ['-x', checkPropertyName(p)]);
  await exec.run('zfs', ['receive', '-u', ...set, ...exclude, ds(target)], {
    inputFile: file,
    timeoutMs: 3_600_000,
  });
}

/** `zfs send SNAP | zfs receive TARGET`: an independent full copy. */
export async function sendReceive(exec: HostExec, source: string, target: string) {
  await exec.pipe(['zfs', ['send', snap(source)]], ['zfs', ['receive', ds(target)]], {
    timeoutMs: 3_600_000,
  });
}
