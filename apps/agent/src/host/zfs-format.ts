/*
 * Pure parsers for `zfs list -Hp` and `zfs get -Hp` output. With -H, columns are separated by
 * exactly one tab (values such as `inherited from rpool/x` contain spaces, so never split on
 * whitespace); with -p, sizes are exact byte counts; `-` means "does not apply".
 */

export type DatasetType = 'filesystem' | 'volume' | 'snapshot' | 'bookmark';

export interface DatasetRow {
  name: string;
  used: number | null;
  avail: number | null;
  refer: number | null;
  volsize: number | null;
  type: DatasetType;
}

/** The `-o` list `parseDatasetList` expects. */
export const LIST_FIELDS = 'name,used,avail,refer,volsize,type';

export function parseDatasetList(stdout: string): DatasetRow[] {
  const rows: DatasetRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    if (cols.length !== 6)
      throw new Error(`zfs list: expected 6 columns in ${JSON.stringify(line)}`);
    const [name, used, avail, refer, volsize, type] = cols as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    rows.push({
      name,
      used: bytes(used),
      avail: bytes(avail),
      refer: bytes(refer),
      volsize: bytes(volsize),
      type: type as DatasetType,
    });
  }
  return rows;
}

function bytes(value: string): number | null {
  if (value === '-' || value === '') return null;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`zfs: not a byte count: ${JSON.stringify(value)}`);
  return n;
}

/** Round up to a multiple of `block` (volsize must be a multiple of volblocksize). */
export function roundUp(value: number, block: number): number {
  return Math.ceil(value / block) * block;
}
