import type { HostExec } from './exec.js';
import { checkName, PoolName } from './names.js';

export interface PoolInfo {
  name: string;
  size: number;
  alloc: number;
  free: number;
  health: string;
}

/** Parse `zpool list -Hp -o name,size,alloc,free,health` (tab-separated, exact bytes). */
export function parsePoolList(stdout: string): PoolInfo[] {
  const pools: PoolInfo[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    if (cols.length !== 5)
      throw new Error(`zpool list: expected 5 columns in ${JSON.stringify(line)}`);
    const [name, size, alloc, free, health] = cols as [string, string, string, string, string];
    pools.push({ name, size: Number(size), alloc: Number(alloc), free: Number(free), health });
  }
  return pools;
}

export async function getPool(exec: HostExec, name: string): Promise<PoolInfo> {
  const pool = checkName(PoolName, name, 'pool');
  const { stdout } = await exec.run('zpool', [
    'list',
    '-Hp',
    '-o',
    'name,size,alloc,free,health',
    pool,
  ]);
  const info = parsePoolList(stdout)[0];
  if (!info) throw new Error(`zpool list ${pool}: no output`);
  return info;
}
