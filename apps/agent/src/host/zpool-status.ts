import type { PoolVdev } from '@apiary/protocol';
import type { HostExec } from './exec.js';

/*
 * `zpool status` parsed by its structure, not by column guesses: pools are the blocks that
 * start with `  pool: NAME`; the config table's rows start with a tab, and each row's depth is
 * its leading spaces after that tab divided by two (print_status_config in zpool_main.c indents
 * children by two). Depth 0 is the pool itself or a section (`logs`, `cache`, `spares`,
 * `special`, `dedup`); depth 1 rows are that section's top-level vdevs. The counters are
 * zfs_nicenum output (`0`, `12`, `1.2K`) unless the pool was printed with exact numbers.
 */

export interface PoolStatus {
  name: string;
  state: string;
  vdevs: PoolVdev[];
  logs: PoolVdev[];
  cache: PoolVdev[];
  spares: PoolVdev[];
  errors: string | null;
}

/** `mirror-0` -> mirror, `raidz2-1` -> raidz2, `/var/f` -> file, `c1t0d0` -> disk. */
export function vdevType(name: string): string {
  const group = /^(mirror|raidz[123]?|draid[0-9a-z:]*|spare|replacing)-\d+$/.exec(name);
  if (group) return group[1] === 'raidz' ? 'raidz1' : (group[1] as string).replace(/:.*/, '');
  return name.startsWith('/') && !name.startsWith('/dev/') ? 'file' : 'disk';
}

/** zfs_nicenum: `1.2K` -> 1229 (1024-based, as the counters are printed). */
export function parseNicenum(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGTPE]?)$/.exec(text);
  if (!m) return 0;
  const power = ' KMGTPE'.indexOf(m[2] || ' ');
  return Math.round(Number(m[1]) * 1024 ** power);
}

interface Row {
  depth: number;
  vdev: PoolVdev;
}

function parseRow(line: string): Row | null {
  const body = line.slice(1);
  const indent = body.length - body.trimStart().length;
  const [name, state = '', read = '0', write = '0', cksum = '0'] = body.trim().split(/\s+/);
  if (!name) return null;
  return {
    depth: Math.floor(indent / 2),
    vdev: {
      name,
      type: vdevType(name),
      state,
      read: parseNicenum(read),
      write: parseNicenum(write),
      cksum: parseNicenum(cksum),
      children: [],
    },
  };
}

/** Build the tree of one pool's config table (its lines after the NAME header). */
function buildConfig(lines: string[], pool: PoolStatus): void {
  let section: PoolVdev[] = pool.vdevs;
  const stack: Row[] = [];
  for (const line of lines) {
    const row = parseRow(line);
    if (!row) continue;
    if (row.depth === 0) {
      stack.length = 0;
      if (row.vdev.name === pool.name) section = pool.vdevs;
      else if (row.vdev.name === 'logs') section = pool.logs;
      else if (row.vdev.name === 'cache') section = pool.cache;
      else if (row.vdev.name === 'spares') section = pool.spares;
      // `special` and `dedup` vdevs hold pool data: data vdevs, for this view.
      else section = pool.vdevs;
      continue;
    }
    while (stack.length > 0 && (stack.at(-1) as Row).depth >= row.depth) stack.pop();
    const parent = stack.at(-1);
    if (parent) parent.vdev.children.push(row.vdev);
    else section.push(row.vdev);
    stack.push(row);
  }
}

export function parseZpoolStatus(stdout: string): PoolStatus[] {
  const pools: PoolStatus[] = [];
  let pool: PoolStatus | null = null;
  let table: string[] | null = null;
  const finish = () => {
    if (pool && table) buildConfig(table, pool);
    table = null;
  };
  for (const line of stdout.split('\n')) {
    const field = /^\s*(pool|state|errors):\s?(.*)$/.exec(line);
    if (field && !line.startsWith('\t')) {
      const [, key, value] = field as unknown as [string, string, string];
      if (key === 'pool') {
        finish();
        pool = { name: value, state: '', vdevs: [], logs: [], cache: [], spares: [], errors: null };
        pools.push(pool);
      } else if (pool && key === 'state') pool.state = value;
      else if (pool && key === 'errors') {
        finish();
        pool.errors = value;
      }
      continue;
    }
    if (!pool || !line.startsWith('\t')) continue;
    if (table === null) {
      // The header row opens the table; anything indented before it is a message's text.
      if (/^\tNAME\s+STATE\s+READ\s+WRITE\s+CKSUM/.test(line)) table = [];
      continue;
    }
    table.push(line);
  }
  finish();
  return pools;
}

export async function readPoolStatus(exec: HostExec): Promise<PoolStatus[]> {
  const { stdout } = await exec.run('zpool', ['status']);
  return parseZpoolStatus(stdout);
}
