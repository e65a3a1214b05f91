import type { HostExec } from './exec.js';
import { checkName, DatasetName, PoolName } from './names.js';

/*
 * The dataset listing the storage API shows: every field in ONE `zfs list -Hp -o ... -r -t ...`
 * (never a command per dataset). With -H the columns are separated by exactly one tab; with -p
 * sizes are exact bytes; `-` means the property does not apply (a volume's mountpoint). A quota
 * or reservation of 0 is ZFS's `none`.
 */

export const ADMIN_LIST_FIELDS = [
  'name',
  'type',
  'used',
  'avail',
  'refer',
  'quota',
  'reservation',
  'compression',
  'mountpoint',
  'volsize',
  'recordsize',
  'volblocksize',
  'atime',
] as const;

export interface AdminDatasetRow {
  name: string;
  type: 'filesystem' | 'volume' | 'snapshot';
  used: number;
  available: number | null;
  referenced: number | null;
  quota: number | null;
  reservation: number | null;
  compression: string | null;
  mountpoint: string | null;
  volsize: number | null;
  recordsize: number | null;
  volblocksize: number | null;
  atime: string | null;
}

const bytes = (v: string) => (v === '-' || v === '' ? null : Number(v));
const limit = (v: string) => {
  const n = bytes(v);
  return n === 0 ? null : n;
};
const text = (v: string) => (v === '-' || v === '' ? null : v);

export function parseAdminDatasetList(stdout: string): AdminDatasetRow[] {
  const rows: AdminDatasetRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const c = line.split('\t');
    if (c.length !== ADMIN_LIST_FIELDS.length)
      throw new Error(`zfs list: expected ${ADMIN_LIST_FIELDS.length} columns in ${line}`);
    const [name, type, used, avail, refer, quota, resv, compr, mnt, vs, rs, vbs, atime] =
      c as string[] as [string, ...string[]];
    rows.push({
      name,
      type: type as AdminDatasetRow['type'],
      used: bytes(used as string) ?? 0,
      available: bytes(avail as string),
      referenced: bytes(refer as string),
      quota: limit(quota as string),
      reservation: limit(resv as string),
      compression: text(compr as string),
      mountpoint: text(mnt as string),
      volsize: bytes(vs as string),
      recordsize: bytes(rs as string),
      volblocksize: bytes(vbs as string),
      atime: text(atime as string),
    });
  }
  return rows;
}

export type DatasetTypes = 'filesystem,volume' | 'filesystem' | 'volume' | 'snapshot' | 'all';

/**
 * `zfs list -Hp -o FIELDS -t TYPES [-r ROOT]`: ROOT (a pool or a dataset) and everything
 * below it, or every dataset of every pool without one.
 */
export async function listAdminDatasets(
  exec: HostExec,
  options: { root?: string; types: DatasetTypes },
): Promise<AdminDatasetRow[]> {
  const root = options.root
    ? options.root.includes('/')
      ? checkName(DatasetName, options.root, 'dataset')
      : checkName(PoolName, options.root, 'pool')
    : undefined;
  const args = ['list', '-Hp', '-o', ADMIN_LIST_FIELDS.join(','), '-t', options.types];
  const { stdout } = await exec.run('zfs', root ? [...args, '-r', root] : args);
  return parseAdminDatasetList(stdout);
}
