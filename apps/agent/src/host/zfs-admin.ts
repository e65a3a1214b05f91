import type { HostExec } from './exec.js';
import { checkName, DatasetName } from './names.js';

/*
 * zfs verbs for an operator's datasets. Unlike the saga verbs in zfs.ts these are not
 * idempotent on purpose: creating a name that exists or destroying one that does not is the
 * operator's mistake to be told about, not a repeat to absorb.
 */

/** A `prop=value` whose parts cannot be read as anything else on an argv. */
function assignment(property: string, value: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(property) || !/^[A-Za-z0-9_.-]+$/.test(value)) {
    throw new TypeError(`bad property assignment ${property}=${value}`);
  }
  return `${property}=${value}`;
}

export interface NewDataset {
  name: string;
  type: 'filesystem' | 'volume';
  /** Volumes: bytes. */
  size?: number;
  /** Volumes: `-s`, no reservation. */
  sparse?: boolean;
  properties: Record<string, string>;
}

/** `zfs create [-s] [-V SIZE] [-o prop=value]... NAME` (no -p: the parent must exist). */
export async function createDataset(exec: HostExec, ds: NewDataset): Promise<void> {
  const opts = Object.entries(ds.properties).flatMap(([k, v]) => ['-o', assignment(k, v)]);
  const volume = ds.type === 'volume' ? [...(ds.sparse ? ['-s'] : []), '-V', String(ds.size)] : [];
  await exec.run('zfs', ['create', ...volume, ...opts, checkName(DatasetName, ds.name, 'dataset')]);
}

/** `zfs set p1=v1 p2=v2 ... NAME`: ZFS checks the whole list before applying any of it. */
export async function setProperties(
  exec: HostExec,
  name: string,
  properties: Record<string, string>,
): Promise<void> {
  const list = Object.entries(properties).map(([k, v]) => assignment(k, v));
  if (list.length === 0) return;
  await exec.run('zfs', ['set', ...list, checkName(DatasetName, name, 'dataset')]);
}

/** `zfs destroy [-r] NAME`. */
export async function destroyAdminDataset(
  exec: HostExec,
  name: string,
  recursive: boolean,
): Promise<void> {
  const target = checkName(DatasetName, name, 'dataset');
  await exec.run('zfs', ['destroy', ...(recursive ? ['-r'] : []), target]);
}
