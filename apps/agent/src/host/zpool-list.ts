import type { HostExec } from './exec.js';

export interface PoolUsage {
  name: string;
  size: number;
  allocated: number;
  free: number;
  /** Percent; null when the pool prints `-` (no spacemap histogram). */
  fragmentation: number | null;
  health: string;
}

const FIELDS = 'name,size,allocated,free,fragmentation,health';

/** Parse `zpool list -Hp -o name,size,allocated,free,fragmentation,health`. */
export function parsePoolUsage(stdout: string): PoolUsage[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const cols = line.split('\t');
      if (cols.length !== 6) throw new Error(`zpool list: expected 6 columns in ${line}`);
      const [name, size, allocated, free, frag, health] = cols as [
        string,
        string,
        string,
        string,
        string,
        string,
      ];
      return {
        name,
        size: Number(size),
        allocated: Number(allocated),
        free: Number(free),
        // -p prints the bare number; without it (older pools) `12%`.
        fragmentation: frag === '-' ? null : Number(frag.replace('%', '')),
        health,
      };
    });
}

/** Every pool in one command. */
export async function listPoolUsage(exec: HostExec): Promise<PoolUsage[]> {
  const { stdout } = await exec.run('zpool', ['list', '-Hp', '-o', FIELDS]);
  return parsePoolUsage(stdout);
}
