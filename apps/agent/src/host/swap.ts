import type { HostExec } from './exec.js';
import { failedWith } from './host-command-error.js';
import { checkName, DatasetName } from './names.js';

/*
 * swap(8). `swap -l` prints a header and one row per device: the path (which may contain no
 * spaces on a device path, but a file path could), `dev` as MAJOR,MINOR or `-` for a file, then
 * swaplo, blocks and free in 512-byte blocks (cmd/swap/swap.c list()). The path is whatever is
 * left before the last four columns. A zvol swaps through its block device
 * `/dev/zvol/dsk/<dataset>`.
 */

export interface SwapRow {
  path: string;
  dataset: string | null;
  swaplo: number;
  blocks: number;
  free: number;
}

const ZVOL_DSK = '/dev/zvol/dsk/';

export function zvolBlockDevice(dataset: string): string {
  return `${ZVOL_DSK}${checkName(DatasetName, dataset, 'dataset')}`;
}

export function parseSwapList(stdout: string): SwapRow[] {
  const rows: SwapRow[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '' || line.startsWith('swapfile')) continue;
    const m = /^(.*\S)\s+(\d+,\s*\d+|-)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (!m) throw new Error(`swap -l: cannot read ${JSON.stringify(line)}`);
    const path = m[1] as string;
    rows.push({
      path,
      dataset: path.startsWith(ZVOL_DSK) ? path.slice(ZVOL_DSK.length) : null,
      swaplo: Number(m[3]),
      blocks: Number(m[4]),
      free: Number(m[5]),
    });
  }
  return rows;
}

/** `swap -l`; no devices is exit 1 with `No swap devices configured`, read as []. */
export async function listSwap(exec: HostExec): Promise<SwapRow[]> {
  try {
    const { stdout } = await exec.run('swap', ['-l']);
    return parseSwapList(stdout);
  } catch (error) {
    if (failedWith(error, 'No swap devices configured')) return [];
    throw error;
  }
}

export async function addSwapVolume(exec: HostExec, dataset: string): Promise<void> {
  await exec.run('swap', ['-a', zvolBlockDevice(dataset)]);
}

export async function removeSwapVolume(exec: HostExec, dataset: string): Promise<void> {
  await exec.run('swap', ['-d', zvolBlockDevice(dataset)]);
}
