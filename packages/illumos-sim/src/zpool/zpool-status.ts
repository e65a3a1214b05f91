import { GetoptError, getopt } from '../core/getopt.js';
import type { CommandIo } from '../core/io.js';
import { readState } from '../core/state-store.js';
import type { PoolRecord, TopLevelVdev } from '../core/state-types.js';
import { usageError } from './zpool-usage.js';

/**
 * `zpool status [-x] [-v] [-P] [pool ...]` as OmniOS zpool_main.c prints it (status_callback,
 * print_status_config, max_width): `  pool:`, ` state:`, `  scan: none requested` (no scrub
 * is ever simulated), then the config tree. Each row is `\t` + depth spaces + the name padded
 * to the name width (the longest name plus its depth, at least 10) + two spaces + the state in
 * 8 columns + the READ/WRITE/CKSUM counters right-aligned in 5. Top-level groups are named
 * `mirror-0`, `raidz1-1`, ... (their index among the top-level vdevs); the width uses the
 * name without the id, as max_width() asks zpool_vdev_name() without VDEV_NAME_TYPE_ID. -P
 * prints whole disks by their path, `/dev/dsk/c1t0d0s0`.
 */
interface Node {
  name: string;
  widthName: string;
  children: Node[];
}

function tree(pool: PoolRecord, fullPath: boolean): Node {
  const vdevs: TopLevelVdev[] = pool.vdevs ?? [{ type: 'disk', disks: ['c1t0d0'] }];
  const leaf = (disk: string): Node => {
    const name = fullPath ? `/dev/dsk/${disk}s0` : disk;
    return { name, widthName: name, children: [] };
  };
  return {
    name: pool.name,
    widthName: pool.name,
    children: vdevs.map((v, i) =>
      v.type === 'disk'
        ? leaf(v.disks[0]!)
        : { name: `${v.type}-${i}`, widthName: v.type, children: v.disks.map(leaf) },
    ),
  };
}

function maxWidth(node: Node, depth: number): number {
  return Math.max(
    node.widthName.length + depth,
    ...node.children.map((c) => maxWidth(c, depth + 2)),
  );
}

function configRows(node: Node, depth: number, width: number, state: string): string {
  const row = `\t${' '.repeat(depth)}${node.name.padEnd(width - depth)}  ${state.padEnd(8)} ${'0'.padStart(5)} ${'0'.padStart(5)} ${'0'.padStart(5)}\n`;
  return row + node.children.map((c) => configRows(c, depth + 2, width, state)).join('');
}

function statusOf(pool: PoolRecord, fullPath: boolean): string {
  const root = tree(pool, fullPath);
  const width = Math.max(10, maxWidth(root, 0));
  return (
    `  pool: ${pool.name}\n state: ${pool.health}\n  scan: none requested\nconfig:\n\n` +
    `\t${'NAME'.padEnd(width)}  ${'STATE'.padEnd(8)} ${'READ'.padStart(5)} ${'WRITE'.padStart(5)} ${'CKSUM'.padStart(5)}\n` +
    configRows(root, 0, width, pool.health) +
    '\nerrors: No known data errors\n'
  );
}

export function zpoolStatus(io: CommandIo, args: string[]): number {
  let opts: ReturnType<typeof getopt>;
  try {
    opts = getopt(args, 'igLpPsvxDT:');
  } catch (error) {
    if (!(error instanceof GetoptError)) throw error;
    usageError('status', `invalid option '${error.option}'\n`);
  }
  const explain = opts.flags.has('x');
  const state = readState(io.root);
  const all = opts.operands.length === 0;
  let status = 0;
  let first = true;
  let healthy = true;
  const pools: PoolRecord[] = [];
  for (const name of all ? state.pools.map((p) => p.name) : opts.operands) {
    const pool = state.pools.find((p) => p.name === name);
    if (!pool) {
      io.err(`cannot open '${name}': no such pool\n`);
      status = 1;
    } else pools.push(pool);
  }
  for (const pool of pools) {
    if (explain && pool.health === 'ONLINE') {
      if (!all) {
        io.out(`pool '${pool.name}' is healthy\n`);
        first = false;
      }
      continue;
    }
    healthy = false;
    if (!first) io.out('\n');
    first = false;
    io.out(statusOf(pool, opts.flags.has('P')));
  }
  if (all && pools.length === 0) io.err('no pools available\n');
  else if (explain && all && healthy) io.out('all pools are healthy\n');
  return status;
}
